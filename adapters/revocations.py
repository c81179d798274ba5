"""Live sessions: a token works only while its session exists, is active, belongs to the
token's user, that user exists, and the login was checked against the user's current
credentials.

Every authenticated request asks Redis first, one MGET of two small records:

- `session:live:<sid>` = `<user id>:<credentials version>` of the session, or `x` once it
  is revoked or known not to be valid (a terminal answer: a session never comes back).
  Only the session's own state decides it: a token that names the session with
  another user is refused before anything is written, so Redis and PostgreSQL agree;
- `user:live:<uid>` = the user's current credentials version, which only goes up.

Both agree: the token is live. `x`: it is not. Anything else (a miss, a disagreement
after a password change) asks PostgreSQL, the authority, once, and writes the answer
back: never over an `x`, and the user's version never downwards, so a slow reader
cannot undo a revocation. When Redis is down every check asks PostgreSQL.

Revocations are written here by the API at once (best effort) and again by the
sessions projection from each SessionRevoked event (`assert_revoked`, which raises on
a Redis error so the worker retries until Redis is back).
"""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import Engine, text

log = logging.getLogger(__name__)

REVOKED = b"x"
UNKNOWN_SECONDS = 600  # a sid that never existed: only a forged token carries one

# Writes `value` unless the key says revoked.
_FILL = """
if redis.call('GET', KEYS[1]) == 'x' then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return 1
"""
# Raises the user's credentials version, never lowers it.
_RAISE = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > current then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
else
  redis.call('EXPIRE', KEYS[1], ARGV[2])
end
return 1
"""

_STANDING = text("""
    SELECT s.user_id, s.revoked_at, s.credentials_version AS session_credentials,
           u.id AS found_user, u.credentials_version AS user_credentials
    FROM sessions s LEFT JOIN users u ON u.id = s.user_id
    WHERE s.id = CAST(:sid AS uuid)
""")
_USER = text("""
    SELECT role, email_verified FROM users WHERE id = CAST(:uid AS uuid)
""")


@dataclass(frozen=True)
class UserStanding:
    role: str
    email_verified: bool


def session_key(session_id: str) -> str:
    return f"session:live:{session_id}"


def user_key(user_id: str) -> str:
    return f"user:live:{user_id}"


class LiveSessions:
    def __init__(self, redis: Redis, engine: Engine, ttl_seconds: int,
                 user_ttl_seconds: int = 600):
        self.redis, self.engine = redis, engine
        self.ttl, self.user_ttl = ttl_seconds, user_ttl_seconds
        self._fill = redis.register_script(_FILL)
        self._raise = redis.register_script(_RAISE)

    # --- the check on every request ----------------------------------------------------

    def is_live(self, user_id: str, session_id: str) -> bool:
        if not looks_like_uuid(user_id) or not looks_like_uuid(session_id):
            return False
        try:
            session, user = self.redis.mget(session_key(session_id), user_key(user_id))
        except RedisError:
            return self._live_in_postgres(user_id, session_id, write_back=False)
        return self.live_given(user_id, session_id, session, user)

    def live_given(self, user_id: str, session_id: str, session: bytes | None,
                   user: bytes | None) -> bool:
        """The same check on the two records already read (by a script that reads
        them with other things: api/hot_reads.py); ids already canonical."""
        if session == REVOKED:
            return False
        if session is not None and user is not None and \
                session == f"{user_id}:{int(user)}".encode():
            return True
        return self._live_in_postgres(user_id, session_id, write_back=True)

    def _live_in_postgres(self, user_id: str, session_id: str, write_back: bool) -> bool:
        with self.engine.connect() as conn:
            row = conn.execute(_STANDING, {"sid": session_id}).first()
        if row is not None and str(row.user_id) != user_id:
            return False  # another user's session: refused before anything is written
        live = (row is not None and row.revoked_at is None and row.found_user is not None
                and row.session_credentials == row.user_credentials)
        if write_back:
            self._remember(session_id, row, live)
        return live

    def _remember(self, session_id: str, row, live: bool) -> None:
        try:
            if live:
                self._raise(keys=[user_key(str(row.user_id))],
                            args=[row.user_credentials, self.user_ttl])
                self._fill(keys=[session_key(session_id)],
                           args=[f"{row.user_id}:{row.session_credentials}", self.ttl])
            else:
                ttl = UNKNOWN_SECONDS if row is None else self.ttl
                self.redis.set(session_key(session_id), REVOKED, ex=ttl)
        except RedisError as exc:
            log.warning("live-session record not cached: %r", exc)

    # --- what changes it ---------------------------------------------------------------

    def revoke(self, *session_ids: str) -> None:
        """The API's immediate write; the projection writes it again if this fails."""
        try:
            self._mark_revoked(session_ids)
        except RedisError as exc:
            log.warning("revocation deferred to the sessions projection: %r", exc)

    def assert_revoked(self, session_id: str) -> None:
        """The projection's write: raises on a Redis error so the task is retried."""
        self._mark_revoked((session_id,))

    def assert_revoked_all(self, session_ids) -> None:
        """The same for many (a warm or a rebuild re-asserting every recent revocation)."""
        self._mark_revoked(tuple(session_ids))

    def credentials_changed(self, user_id: str, version: int, kept_session: str | None,
                            ) -> None:
        """After a password change or reset: sessions checked against an older password
        stop at once (the caller's own session was moved to the new version)."""
        try:
            self._raise(keys=[user_key(user_id)], args=[version, self.user_ttl])
            if kept_session:
                self._fill(keys=[session_key(kept_session)],
                           args=[f"{user_id}:{version}", self.ttl])
        except RedisError as exc:
            log.warning("credentials change deferred to the users projection: %r", exc)

    def forget_user(self, user_id: str) -> None:
        """The projection's write after a password change: the next check asks
        PostgreSQL. Raises on a Redis error so the task is retried."""
        self.redis.delete(user_key(user_id))

    def _mark_revoked(self, session_ids) -> None:
        if not session_ids:
            return
        pipe = self.redis.pipeline(transaction=False)
        for session_id in session_ids:
            pipe.set(session_key(session_id), REVOKED, ex=self.ttl)
        pipe.execute()

    # --- who the user is, from the users table -----------------------------------------

    def standing(self, user_id: str) -> UserStanding | None:
        """The stored role and verification (admin checks never trust a claim)."""
        if not looks_like_uuid(user_id):
            return None
        with self.engine.connect() as conn:
            row = conn.execute(_USER, {"uid": user_id}).first()
        return UserStanding(row.role, row.email_verified) if row else None


def looks_like_uuid(value) -> bool:
    """The canonical form only: what this API puts in `sub` and `sid`."""
    try:
        return isinstance(value, str) and str(uuid.UUID(value)) == value
    except ValueError:
        return False
