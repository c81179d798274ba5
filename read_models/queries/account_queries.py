"""Queries behind GET /me and GET /auth/sessions: read models only."""
from __future__ import annotations

from sqlalchemy import Engine, select

from read_models.stores import document_cache
from read_models.stores.account_documents import dump, me_key
from read_models.stores.redis_docs import RedisDocuments
from read_models.stores.tables import read_sessions, read_users


def me_document(documents: RedisDocuments, engine: Engine, user_id: str) -> bytes | None:
    """Redis first (one GET); on a miss the Postgres read row, written back to Redis."""
    cached = document_cache.get(documents, me_key(user_id))
    if cached is not None:
        return cached
    with engine.connect() as conn:
        row = conn.execute(select(read_users.c.doc, read_users.c.version).where(
            read_users.c.user_id == user_id)).first()
    if row is None:
        return None
    body = dump(row.doc)
    document_cache.refill(documents, [(me_key(user_id), body, row.version)])
    return body.encode()


def sessions_of(engine: Engine, user_id: str) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(read_sessions)
            .where(read_sessions.c.user_id == user_id, read_sessions.c.revoked_at.is_(None))
            .order_by(read_sessions.c.last_seen_at.desc())).mappings().all()
    return [{"id": str(r["session_id"]), "created_at": r["created_at"],
             "last_seen_at": r["last_seen_at"], "ip": r["ip"], "user_agent": r["user_agent"]}
            for r in rows]
