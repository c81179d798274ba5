"""The dead-letter store: events a subscriber gave up on, with the error, for ops."""
from __future__ import annotations

from sqlalchemy import Engine, func, insert, select, text, update

from adapters.messaging.envelope import Envelope
from adapters.messaging.tables import dead_letters


_ONCE = text("SELECT pg_advisory_xact_lock(hashtext('dead-letter:' || :subscriber || :event_id))")


def record(engine: Engine, subscriber: str, envelope: Envelope, error: str,
           attempts: int) -> int | None:
    """Once per event and subscriber while it is pending: a second failure of the same
    event (another retry path, a read's catch-up) adds nothing. Returns the new row's
    id, or None when the event was already dead-lettered."""
    with engine.begin() as conn:
        conn.execute(_ONCE, {"subscriber": subscriber, "event_id": envelope.event_id})
        if conn.execute(select(dead_letters.c.id).where(
                dead_letters.c.subscriber == subscriber,
                dead_letters.c.event_id == envelope.event_id,
                dead_letters.c.replayed_at.is_(None))).first() is not None:
            return None
        return conn.execute(insert(dead_letters).values(
            subscriber=subscriber, event_id=envelope.event_id,
            event_type=envelope.event_type, aggregate_type=envelope.aggregate_type,
            aggregate_id=envelope.aggregate_id, aggregate_version=envelope.aggregate_version,
            envelope=envelope.to_dict(), error=error[:4000], attempts=attempts,
        ).returning(dead_letters.c.id)).scalar_one()


def pending(engine: Engine, limit: int = 100, offset: int = 0) -> list[dict]:
    """Not yet replayed, oldest aggregate version first (the order to replay in)."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(dead_letters).where(dead_letters.c.replayed_at.is_(None))
            .order_by(dead_letters.c.aggregate_id, dead_letters.c.aggregate_version,
                      dead_letters.c.id)
            .limit(limit).offset(offset)).mappings().all()
    return [dict(row) for row in rows]


def count_pending(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(dead_letters).where(
            dead_letters.c.replayed_at.is_(None))).scalar_one()


def get(engine: Engine, dead_letter_id: int) -> dict | None:
    with engine.connect() as conn:
        row = conn.execute(select(dead_letters).where(
            dead_letters.c.id == dead_letter_id)).mappings().first()
    return dict(row) if row else None


def mark_replayed(engine: Engine, dead_letter_id: int) -> None:
    with engine.begin() as conn:
        conn.execute(update(dead_letters).where(dead_letters.c.id == dead_letter_id)
                     .values(replayed_at=func.now()))
