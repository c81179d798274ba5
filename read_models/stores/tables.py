"""Read tables (the durable copy of what Redis serves) and projection bookkeeping."""
from sqlalchemy import (
                        BigInteger,
                        Column,
                        DateTime,
                        Integer,
                        PrimaryKeyConstraint,
                        String,
                        Table,
                        func,
)
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

projection_sweeps = Table(
    "projection_sweeps", metadata,
    Column("lane", String(40), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("swept_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
