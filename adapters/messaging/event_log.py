"""Reading the event log back: one aggregate's envelopes, in version order."""
from __future__ import annotations

from sqlalchemy import Engine, select

from adapters.db.tables import events
from adapters.messaging.envelope import Envelope


def envelopes_of_aggregate(engine: Engine, aggregate_type: str,
                           aggregate_id: str) -> list[Envelope]:
    with engine.connect() as conn:
        rows = conn.execute(select(events).where(
            events.c.aggregate_type == aggregate_type, events.c.aggregate_id == aggregate_id)
            .order_by(events.c.aggregate_version)).mappings().all()
    return [Envelope.from_row(row) for row in rows]
