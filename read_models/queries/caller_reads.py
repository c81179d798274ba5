"""One Redis round trip for what a person's own read asks first: the two live-session
records (adapters/revocations.py), which of the person's own writes the read models
have not reached yet (read_models/own_writes.py), and any documents the read wants.
The decisions stay where they were: LiveSessions.live_given judges the records (asking
PostgreSQL when they do not agree), OwnWrites.wait waits for what is behind."""
from __future__ import annotations

from dataclasses import dataclass

from redis import Redis

from adapters.revocations import session_key, user_key
from read_models.queries import own_writes
from read_models.stores.library_redis import (
    ENTRIES_FUNCTION,
    STATS_FUNCTION,
    EntryPage,
    entries_args,
    entries_keys,
    entry_page,
    stats_answer,
    stats_keys,
)

# KEYS: own-writes, session, user, then what the read asks. Answers {session, user,
# behind, documents, and what the read's own function answered (absent if false)}.
_CALLER = """
local session = redis.call('GET', KEYS[2])
local user = redis.call('GET', KEYS[3])
""" + own_writes.BEHIND_OF_KEY_1
_READ = _CALLER + """
local documents = {}
for i = 4, #KEYS do documents[#documents + 1] = redis.call('GET', KEYS[i]) or false end
return {session or false, user or false, behind, documents}
"""
_READ_ENTRIES = _CALLER + ENTRIES_FUNCTION + """
return {session or false, user or false, behind, {},
        library_entries(KEYS[4], KEYS[5], KEYS[6], tonumber(ARGV[1]), tonumber(ARGV[2]),
                        ARGV[3], ARGV[4])}
"""
_READ_STATS = _CALLER + STATS_FUNCTION + """
return {session or false, user or false, behind, {},
        library_stats(KEYS[4], KEYS[5], KEYS[6], ARGV[1])}
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
        self._read_entries = redis.register_script(_READ_ENTRIES)
        self._read_stats = redis.register_script(_READ_STATS)

    def read(self, user_id: str, session_id: str, *document_keys: str) -> CallerRead:
        """Raises RedisError when Redis does not answer (the caller then asks each
        store the slow way)."""
        session, user, behind, documents = self._read(
            keys=[*_caller_keys(user_id, session_id), *document_keys])
        return CallerRead(session, user, own_writes.aggregates(behind),
                          list(documents) + [None] * (len(document_keys) - len(documents)))

    def read_entries(self, user_id: str, session_id: str, kind: str, first: int, last: int,
                     newest_first: bool, card_prefix: str
                     ) -> tuple[CallerRead, EntryPage | None]:
        """The caller's records and a range of their library (LibraryDocuments.entries)."""
        answer = self._read_entries(
            keys=[*_caller_keys(user_id, session_id), *entries_keys(user_id, kind)],
            args=entries_args(first, last, newest_first, card_prefix))
        records, entries = _split(answer)
        return records, entry_page(entries)

    def read_stats(self, user_id: str, session_id: str, since_ms: int
                   ) -> tuple[CallerRead, tuple[bytes, int] | None]:
        """The caller's records and their stats (LibraryDocuments.stats)."""
        answer = self._read_stats(
            keys=[*_caller_keys(user_id, session_id), *stats_keys(user_id)], args=[since_ms])
        records, found = _split(answer)
        return records, stats_answer(found)


def _caller_keys(user_id: str, session_id: str) -> list[str]:
    return [own_writes.key(user_id), session_key(session_id), user_key(user_id)]


def _split(answer: list) -> tuple[CallerRead, object]:
    """The caller's records, and what the read's own function answered (None for its
    false, which Redis drops from the end of the reply)."""
    session, user, behind = answer[0], answer[1], answer[2]
    return (CallerRead(session, user, own_writes.aggregates(behind), []),
            answer[4] if len(answer) > 4 else None)
