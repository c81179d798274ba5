"""The session blocklist: a revoked session's tokens stop working at once.

A key per revoked session, kept as long as its refresh token could live; every
authenticated request checks it (one Redis EXISTS)."""
from __future__ import annotations

from redis import Redis


class SessionBlocklist:
    def __init__(self, redis: Redis, ttl_seconds: int):
        self.redis, self.ttl = redis, ttl_seconds

    @staticmethod
    def key(session_id: str) -> str:
        return f"revoked:session:{session_id}"

    def revoke(self, *session_ids: str) -> None:
        if not session_ids:
            return
        pipe = self.redis.pipeline(transaction=False)
        for session_id in session_ids:
            pipe.set(self.key(session_id), 1, ex=self.ttl)
        pipe.execute()

    def is_revoked(self, session_id: str) -> bool:
        return bool(self.redis.exists(self.key(session_id)))
