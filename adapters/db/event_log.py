"""Reading the event log back: the envelopes one commit wrote."""
from __future__ import annotations

from sqlalchemy import Engine, select

from adapters.db.tables import events
from domain.ports import CommitResult
from read_models.envelope import Envelope


def envelopes_of_commit(engine: Engine, commit: CommitResult) -> list[Envelope]:
    """The events of the commit's last aggregate, in version order (a catalog command
    writes to one aggregate, so that is all of them)."""
    if commit.last_aggregate_version is None:
        return []
    first = commit.last_aggregate_version - commit.event_count + 1
    with engine.connect() as conn:
        rows = conn.execute(select(events).where(
            events.c.aggregate_type == commit.last_aggregate_type,
            events.c.aggregate_id == commit.last_aggregate_id,
            events.c.aggregate_version.between(first, commit.last_aggregate_version))
            .order_by(events.c.aggregate_version)).mappings().all()
    return [Envelope.from_row(row) for row in rows]


def envelopes_of_aggregate(engine: Engine, aggregate_type: str,
                           aggregate_id: str) -> list[Envelope]:
    with engine.connect() as conn:
        rows = conn.execute(select(events).where(
            events.c.aggregate_type == aggregate_type, events.c.aggregate_id == aggregate_id)
            .order_by(events.c.aggregate_version)).mappings().all()
    return [Envelope.from_row(row) for row in rows]
