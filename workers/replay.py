"""Replays dead letters: sends each back to its subscriber's task, oldest version first."""
from __future__ import annotations

from adapters.messaging import dead_letters
from movienexus.bootstrap import Container


def replay(container: Container, ids: list[int] | None = None) -> list[int]:
    rows = ([row for i in ids if (row := dead_letters.get(container.engine, i))] if ids
            else dead_letters.pending(container.engine, limit=10_000))
    replayed = []
    for row in rows:
        if row["replayed_at"] is not None:
            continue
        container.tasks.replay(row["subscriber"], row["aggregate_type"],
                               row["event_type"], row["envelope"])
        dead_letters.mark_replayed(container.engine, row["id"])
        replayed.append(row["id"])
    return replayed
