"""Read-your-writes without asking: the server remembers each person's last writes.

Every command a person runs records, per aggregate it wrote in the people lane, the
version it reached (`own-writes:<user id>`, a Redis hash of `type:id` → version, each
field only ever raised, kept a few minutes). A read of that person's own data first
asks which of those aggregates the projections have not reached yet (one script: the
hash against the `applied:` markers), waits briefly for them, and if they are still
behind projects them itself from the event log. So the next `GET /me` after any write
by any of the person's sessions shows it, with no token sent.
"""
from __future__ import annotations

import time
from typing import Callable

from adapters.messaging.topology import PEOPLE, lane_of
from domain.ports import CommitResult
from read_models.stores.redis_docs import RedisDocuments

REMEMBER_SECONDS = 300

_REMEMBER = """
for i = 1, #ARGV - 1, 2 do
  local current = tonumber(redis.call('HGET', KEYS[1], ARGV[i]) or '0')
  if tonumber(ARGV[i + 1]) > current then redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
redis.call('EXPIRE', KEYS[1], ARGV[#ARGV])
return 1
"""
# Lua: `behind` = the fields of the own-writes hash KEYS[1] its applied: marker lacks.
BEHIND_OF_KEY_1 = """
local fields = redis.call('HGETALL', KEYS[1])
local behind = {}
for i = 1, #fields, 2 do
  local applied = tonumber(redis.call('GET', 'applied:' .. fields[i]) or '0')
  if applied < tonumber(fields[i + 1]) then
    behind[#behind + 1] = fields[i]
  end
end
"""
_BEHIND = BEHIND_OF_KEY_1 + "return behind\n"
Aggregate = tuple[str, str]     # (aggregate type, aggregate id)


def key(user_id: str) -> str:
    return f"own-writes:{user_id}"


def aggregates(fields: list[bytes]) -> list[Aggregate]:
    return [tuple(field.decode().split(":", 1)) for field in fields]


class OwnWrites:
    def __init__(self, documents: RedisDocuments):
        self.redis = documents.redis
        self._remember = self.redis.register_script(_REMEMBER)
        self._behind = self.redis.register_script(_BEHIND)

    def remember(self, user_id: str, commit: CommitResult) -> None:
        args: list = []
        for aggregate_type, aggregate_id, version in commit.aggregates:
            if lane_of(aggregate_type) == PEOPLE:
                args += [f"{aggregate_type}:{aggregate_id}", version]
        if args:
            self._remember(keys=[key(user_id)], args=[*args, REMEMBER_SECONDS])

    def behind(self, user_id: str) -> list[Aggregate]:
        """The person's written aggregates the read models have not reached yet."""
        return aggregates(self._behind(keys=[key(user_id)]))

    def wait(self, user_id: str, timeout: float, catch_up: Callable[[str, str], bool],
             behind: list[Aggregate] | None = None) -> str | None:
        """Waits (1 ms, backing off to 10 ms) for the person's own writes; whatever is
        still behind at the deadline is projected here and now (`catch_up`: False if
        that failed). None if there was nothing to wait for, else "fresh", or "stale"
        when a catch-up failed. `behind`: what a script that read it with other things
        found (api/hot_reads.py)."""
        behind = self.behind(user_id) if behind is None else behind
        if not behind:
            return None
        deadline, pause = time.monotonic() + timeout, 0.001
        while behind and time.monotonic() < deadline:
            time.sleep(pause)
            pause = min(pause * 2, 0.01)
            behind = self.behind(user_id)
        caught_up = [catch_up(aggregate_type, aggregate_id)
                     for aggregate_type, aggregate_id in behind]
        return "fresh" if all(caught_up) else "stale"
