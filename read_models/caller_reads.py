"""One Redis round trip for what a person's own read asks first: the two live-session
records (adapters/revocations.py), which of the person's own writes the read models
have not reached yet (read_models/own_writes.py), and any documents the read wants.
The decisions stay where they were: LiveSessions.live_given judges the records (asking
PostgreSQL when they do not agree), OwnWrites.wait waits for what is behind."""
from __future__ import annotations

from dataclasses import dataclass

from redis import Redis

from adapters.revocations import session_key, user_key
from read_models import own_writes

_READ = """
local session = redis.call('GET', KEYS[2])
local user = redis.call('GET', KEYS[3])
""" + own_writes.BEHIND_OF_KEY_1 + """
local documents = {}
for i = 4, #KEYS do documents[#documents + 1] = redis.call('GET', KEYS[i]) or false end
return {session or false, user or false, behind, documents}
"""


@dataclass(frozen=True)
class CallerRead:
    session: bytes | None
    user: bytes | None
    behind: list[own_writes.Aggregate]
    documents: list[bytes | None]


class CallerReads:
    def __init__(self, redis: Redis):
        self._read = redis.register_script(_READ)

    def read(self, user_id: str, session_id: str, *document_keys: str) -> CallerRead:
        """Raises RedisError when Redis does not answer (the caller then asks each
        store the slow way)."""
        session, user, behind, documents = self._read(keys=[
            own_writes.key(user_id), session_key(session_id), user_key(user_id),
            *document_keys])
        return CallerRead(session, user, own_writes.aggregates(behind),
                          list(documents) + [None] * (len(document_keys) - len(documents)))
