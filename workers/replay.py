"""Replays dead letters: sends each back to its subscriber's task, oldest version first."""
from __future__ import annotations

from adapters.messaging import dead_letters, topology
from movienexus.bootstrap import Container


def replay(container: Container, ids: list[int] | None = None) -> list[int]:
    from workers.celery_app import celery_app
    ns = container.settings.amqp_namespace
    rows = ([row for i in ids if (row := dead_letters.get(container.engine, i))] if ids
            else dead_letters.pending(container.engine, limit=10_000))
    replayed = []
    for row in rows:
        if row["replayed_at"] is not None:
            continue
        queue, key = topology.replay_route(row["subscriber"], row["aggregate_type"],
                                           row["event_type"])
        celery_app.send_task(topology.SUBSCRIBER_TASKS[row["subscriber"]],
                             args=(row["envelope"],), queue=topology.queue_name(ns, queue),
                             routing_key=key)
        dead_letters.mark_replayed(container.engine, row["id"])
        replayed.append(row["id"])
    return replayed
