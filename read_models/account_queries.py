"""Queries behind GET /me and GET /auth/sessions: read models only."""
from __future__ import annotations

import logging

from redis.exceptions import RedisError
from sqlalchemy import Engine, select

from read_models.accounts import dump, me_key
from read_models.redis_docs import RedisDocuments
from read_models.tables import read_sessions, read_users

log = logging.getLogger(__name__)


def me_document(documents: RedisDocuments, engine: Engine, user_id: str) -> bytes | None:
    """Redis first (one GET); the Postgres read row when Redis misses or is down."""
    try:
        cached = documents.get(me_key(user_id))
        if cached is not None:
            return cached
    except RedisError:
        log.warning("redis unavailable, serving /me from postgres")
    with engine.connect() as conn:
        doc = conn.execute(select(read_users.c.doc).where(
            read_users.c.user_id == user_id)).scalar()
    return dump(doc).encode() if doc is not None else None


def sessions_of(engine: Engine, user_id: str) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(read_sessions)
            .where(read_sessions.c.user_id == user_id, read_sessions.c.revoked_at.is_(None))
            .order_by(read_sessions.c.last_seen_at.desc())).mappings().all()
    return [{"id": str(r["session_id"]), "created_at": r["created_at"],
             "last_seen_at": r["last_seen_at"], "ip": r["ip"], "user_agent": r["user_agent"]}
            for r in rows]
