"""Read tables (the durable copy of what Redis serves) and projection bookkeeping."""
from sqlalchemy import (BigInteger, Column, DateTime, Identity, Integer, PrimaryKeyConstraint,
                        String, Table, Text, func)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from adapters.db.metadata import metadata

read_users = Table(
    "read_users", metadata,
    Column("user_id", UUID(as_uuid=False), primary_key=True),
    Column("email", String(254), nullable=False),
    Column("doc", JSONB, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

read_sessions = Table(
    "read_sessions", metadata,
    Column("session_id", UUID(as_uuid=False), primary_key=True),
    Column("user_id", UUID(as_uuid=False), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    Column("ip", String(64), nullable=False),
    Column("user_agent", String(512), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
    Column("revoke_reason", String(40)),
)

projection_checkpoints = Table(
    "projection_checkpoints", metadata,
    Column("projection", String(60), nullable=False),
    Column("aggregate_id", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    PrimaryKeyConstraint("projection", "aggregate_id"),
)

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
