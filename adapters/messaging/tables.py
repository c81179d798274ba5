"""The messaging bookkeeping tables: dead letters (events a subscriber gave up on)
and sent notifications (the email reactor's record of what it mailed)."""
from sqlalchemy import (BigInteger, Column, DateTime, Identity, Integer, String, Table, Text,
                        func)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from adapters.db.metadata import metadata

dead_letters = Table(
    "dead_letters", metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("subscriber", String(40), nullable=False),
    Column("event_id", UUID(as_uuid=False), nullable=False, index=True),
    Column("event_type", String(100), nullable=False),
    Column("aggregate_type", String(40), nullable=False),
    Column("aggregate_id", String(64), nullable=False),
    Column("aggregate_version", Integer, nullable=False),
    Column("envelope", JSONB, nullable=False),
    Column("error", Text, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("failed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("replayed_at", DateTime(timezone=True)),
)

sent_notifications = Table(
    "sent_notifications", metadata,
    Column("event_id", UUID(as_uuid=False), primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
