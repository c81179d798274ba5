"""Read-your-writes: a token names the last event a write produced; a read that
sends it back waits (bounded) until that event's aggregate has been applied."""
from __future__ import annotations

import re
import time
from dataclasses import dataclass

from domain.ports import CommitResult
from read_models.redis_docs import RedisDocuments
from read_models.runner import applied_key

TOKEN_PATTERN = r"^(\d{1,19})\.([a-z_]{1,40})\.([0-9a-zA-Z-]{1,64})\.(\d{1,9})$"
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


def wait_until_applied(documents: RedisDocuments, token: ConsistencyToken,
                       timeout: float) -> bool:
    """Polls the aggregate's applied marker: 1 ms at first, backing off to 20 ms."""
    key = applied_key(token.aggregate_type, token.aggregate_id)
    deadline = time.monotonic() + timeout
    pause = 0.001
    while True:
        if int(documents.redis.get(key) or 0) >= token.version:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(pause)
        pause = min(pause * 2, 0.02)
