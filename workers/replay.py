"""Replays dead letters: sends each back to its subscriber's task, oldest version first."""
from __future__ import annotations

from adapters.messaging import dead_letters
from movienexus.bootstrap import Container
from adapters.messaging import topology


def replay(container: Container, ids: list[int] | None = None) -> list[int]:
    from workers.celery_app import celery_app
    rows = ([row for i in ids if (row := dead_letters.get(container.engine, i))] if ids
            else dead_letters.pending(container.engine, limit=10_000))
    replayed = []
    for row in rows:
        if row["replayed_at"] is not None:
            continue
        task = topology.SUBSCRIBERS[row["subscriber"]]
        celery_app.send_task(task, args=(row["envelope"],),
                             queue=topology.queue_name(container.settings.amqp_namespace,
                                                       row["subscriber"]),
                             routing_key=topology.routing_key(
                                 row["subscriber"], row["aggregate_type"], row["event_type"]),
                             exchange=topology.events_exchange(
                                 container.settings.amqp_namespace).name)
        dead_letters.mark_replayed(container.engine, row["id"])
        replayed.append(row["id"])
    return replayed
