"""The session blocklist: a revoked session's tokens stop working at once.

A Redis key per revoked session, kept as long as its refresh token could live; every
authenticated request checks it (one EXISTS). The `sessions` table is the authority:
when Redis is down the check asks PostgreSQL instead, and the sessions projection
sets the key again from each SessionRevoked event, so a revocation made while Redis
was away reaches it once Redis is back."""
from __future__ import annotations

import logging

from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import Engine, select

from adapters.db.tables import sessions

log = logging.getLogger(__name__)


class SessionBlocklist:
    def __init__(self, redis: Redis, engine: Engine, ttl_seconds: int):
        self.redis, self.engine, self.ttl = redis, engine, ttl_seconds

    @staticmethod
    def key(session_id: str) -> str:
        return f"revoked:session:{session_id}"

    def revoke(self, *session_ids: str) -> None:
        if not session_ids:
            return
        try:
            pipe = self.redis.pipeline(transaction=False)
            for session_id in session_ids:
                pipe.set(self.key(session_id), 1, ex=self.ttl)
            pipe.execute()
        except RedisError as exc:
            log.warning("blocklist write deferred to the projection: %r", exc)

    def is_revoked(self, session_id: str) -> bool:
        try:
            return bool(self.redis.exists(self.key(session_id)))
        except RedisError:
            return self._revoked_in_postgres(session_id)

    def _revoked_in_postgres(self, session_id: str) -> bool:
        with self.engine.connect() as conn:
            row = conn.execute(select(sessions.c.revoked_at).where(
                sessions.c.id == session_id)).first()
        return row is None or row.revoked_at is not None
