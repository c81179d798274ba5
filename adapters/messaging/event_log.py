"""Reading the event log back: one aggregate's envelopes, in version order."""
from __future__ import annotations

from sqlalchemy import Connection, Engine, select

from adapters.db.tables import events
from adapters.messaging.envelope import Envelope


def envelopes_of_aggregate(engine: Engine, aggregate_type: str,
                           aggregate_id: str) -> list[Envelope]:
    with engine.connect() as conn:
        rows = conn.execute(select(events).where(
            events.c.aggregate_type == aggregate_type, events.c.aggregate_id == aggregate_id)
            .order_by(events.c.aggregate_version)).mappings().all()
    return [Envelope.from_row(row) for row in rows]


def envelopes_between(conn: Connection, aggregate_type: str, aggregate_id: str,
                      after_version: int, before_version: int) -> list[Envelope]:
    """The aggregate's events strictly between two versions (a projection's gap)."""
    rows = conn.execute(select(events).where(
        events.c.aggregate_type == aggregate_type, events.c.aggregate_id == aggregate_id,
        events.c.aggregate_version > after_version,
        events.c.aggregate_version < before_version)
        .order_by(events.c.aggregate_version)).mappings().all()
    return [Envelope.from_row(row) for row in rows]


def latest_envelope(conn: Connection, aggregate_type: str,
                    aggregate_id: str) -> Envelope | None:
    """The aggregate's newest event: applying it brings a projection fully up to date."""
    row = conn.execute(select(events).where(
        events.c.aggregate_type == aggregate_type, events.c.aggregate_id == aggregate_id)
        .order_by(events.c.aggregate_version.desc()).limit(1)).mappings().first()
    return Envelope.from_row(row) if row else None
