"""Write-side tables: aggregate state, and `events` (the outbox and the permanent log)."""
from sqlalchemy import (BigInteger, Boolean, Column, DateTime, Identity, Index, Integer,
                        String, Table, Text, UniqueConstraint, func, text)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from adapters.db.metadata import metadata

users = Table(
    "users", metadata,
    Column("id", UUID(as_uuid=False), primary_key=True),
    Column("email", String(254), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    Column("first_name", String(100), nullable=False, server_default=""),
    Column("last_name", String(100), nullable=False, server_default=""),
    Column("role", String(20), nullable=False, server_default="user"),
    Column("email_verified", Boolean, nullable=False, server_default=text("false")),
    Column("credentials_version", Integer, nullable=False, server_default="1"),
    Column("profile", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False),
)

sessions = Table(
    "sessions", metadata,
    Column("id", UUID(as_uuid=False), primary_key=True),
    Column("user_id", UUID(as_uuid=False), nullable=False, index=True),
    Column("refresh_jti", String(64), nullable=False),
    Column("credentials_version", Integer, nullable=False, server_default="1"),
    Column("ip", String(64), nullable=False, server_default=""),
    Column("user_agent", String(512), nullable=False, server_default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
    Column("revoke_reason", String(40)),
    Column("version", Integer, nullable=False),
)

events = Table(
    "events", metadata,
    Column("position", BigInteger, Identity(always=False), primary_key=True),
    Column("event_id", UUID(as_uuid=False), nullable=False, unique=True),
    Column("event_type", String(100), nullable=False),
    Column("event_version", Integer, nullable=False),
    Column("aggregate_type", String(40), nullable=False),
    Column("aggregate_id", String(64), nullable=False),
    Column("aggregate_version", Integer, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("payload", JSONB, nullable=False),
    Column("correlation_id", String(64)),
    Column("causation_id", String(64)),
    Column("actor_id", String(64)),
    Column("published_at", DateTime(timezone=True)),
    UniqueConstraint("aggregate_type", "aggregate_id", "aggregate_version",
                     name="uq_events_aggregate_version"),
    Index("ix_events_unpublished", "position", postgresql_where=text("published_at IS NULL")),
    Index("ix_events_aggregate", "aggregate_id", "aggregate_version"),
)
