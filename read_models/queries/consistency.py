"""Read-your-writes: a token names the last event a write produced; a read that
sends it back waits (bounded) until that event's aggregate has been applied.

A token is first checked against the log with one primary-key lookup: the event at
its position must be of its aggregate and version. A token that names no event (made
up, or an impossible version) answers at once, without waiting, and the same way
whatever the aggregate's real version is, so it tells nothing about other aggregates."""
from __future__ import annotations

import re
import time
from dataclasses import dataclass

from prometheus_client import Counter
from sqlalchemy import Engine, text

from domain.ports import CommitResult
from read_models.stores.markers import applied_key
from read_models.stores.redis_docs import RedisDocuments

TOKEN_PATTERN = r"^(\d{1,18})\.([a-z_]{1,40})\.([0-9a-zA-Z-]{1,64})\.(\d{1,9})$"
_TOKEN = re.compile(TOKEN_PATTERN)


class MalformedToken(ValueError):
    pass


@dataclass(frozen=True)
class ConsistencyToken:
    position: int
    aggregate_type: str
    aggregate_id: str
    version: int

    @classmethod
    def from_commit(cls, result: CommitResult) -> "ConsistencyToken | None":
        if result.last_position is None:
            return None
        return cls(result.last_position, result.last_aggregate_type,
                   result.last_aggregate_id, result.last_aggregate_version)

    @classmethod
    def parse(cls, raw: str) -> "ConsistencyToken":
        match = _TOKEN.match(raw.strip())
        if not match:
            raise MalformedToken("X-Consistency-Token is not a token this API issued.")
        position, aggregate_type, aggregate_id, version = match.groups()
        return cls(int(position), aggregate_type, aggregate_id, int(version))

    def __str__(self) -> str:
        return f"{self.position}.{self.aggregate_type}.{self.aggregate_id}.{self.version}"


_IN_LOG = text("""
    SELECT 1 FROM events
    WHERE position = :position AND aggregate_type = :aggregate_type
      AND aggregate_id = :aggregate_id AND aggregate_version = :version
""")
# Reads that had to wait for their token (a bogus token must never cause one).
WAITS = Counter("consistency_waits_total",
                "Reads that waited for their consistency token's write")
# A person's own read whose catch-up met an event that fails to project: the read
# answers what is projected, with X-Consistency: stale (never a 500).
OWN_READ_FAILURES = Counter(
    "own_read_catch_up_failures_total",
    "Own reads whose catch-up met an event that failed to project (answered stale)",
    ["aggregate_type"])


def names_a_write(engine: Engine, token: ConsistencyToken) -> bool:
    """One primary-key lookup (the position) that must match the rest of the token."""
    with engine.connect() as conn:
        return conn.execute(_IN_LOG, {
            "position": token.position, "aggregate_type": token.aggregate_type,
            "aggregate_id": token.aggregate_id, "version": token.version}).first() is not None


def wait_until_applied(documents: RedisDocuments, token: ConsistencyToken,
                       timeout: float) -> bool:
    """Polls the aggregate's applied marker: 1 ms at first, backing off to 20 ms."""
    key = applied_key(token.aggregate_type, token.aggregate_id)
    deadline = time.monotonic() + timeout
    pause = 0.001
    slept = False
    while True:
        if int(documents.redis.get(key) or 0) >= token.version:
            return True
        if time.monotonic() >= deadline:
            return False
        if not slept:
            slept = True
            WAITS.inc()
        time.sleep(pause)
        pause = min(pause * 2, 0.02)
