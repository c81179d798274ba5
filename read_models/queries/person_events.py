"""A person's own events from the log, after a position: what their event stream sends
(their library, their account, their sessions), oldest first."""
from __future__ import annotations

from sqlalchemy import text

PERSON_EVENTS = text("""
    SELECT position, event_type, aggregate_type, aggregate_version, occurred_at, payload
    FROM events
    WHERE position > :after
      AND ((aggregate_id = :user AND aggregate_type IN ('library', 'user'))
           OR (aggregate_type = 'session' AND payload->>'user_id' = :user))
    ORDER BY position
    LIMIT :limit
""")

LAST_POSITION = text("SELECT coalesce(max(position), 0) FROM events")


def event_document(row) -> dict:
    return {"type": row.event_type, "aggregate": row.aggregate_type,
            "version": row.aggregate_version, "occurred_at": row.occurred_at.isoformat(),
            "data": row.payload}
