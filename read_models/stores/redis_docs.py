"""Ready-to-send JSON documents in Redis, each written only if newer than what is there.

The document and its version change together inside one Lua script, so a stale
or duplicate write can never replace a newer document.
"""
from __future__ import annotations

from typing import Iterable

from redis import Redis
from redis.commands.core import Script
from redis.exceptions import NoScriptError

_SET_IF_NEWER = """
local current = tonumber(redis.call('GET', KEYS[2]) or '0')
local incoming = tonumber(ARGV[2])
if incoming <= current then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], incoming)
return 1
"""
_MAX_SET = """
for i, key in ipairs(KEYS) do
  local incoming = tonumber(ARGV[i])
  if incoming > tonumber(redis.call('GET', key) or '0') then
    redis.call('SET', key, incoming)
  end
end
return 1
"""


# Id lists (TMDb's curated lists) are Redis lists, replaced whole and only by a newer
# version; a page is then LRANGE of just its ids plus one MGET, in one round trip.
# (The document keys are derived inside the script, so on a Redis Cluster a list and
# its documents must share a hash slot.)
_PUT_LIST_IF_NEWER = """
local current = tonumber(redis.call('GET', KEYS[2]) or '0')
local incoming = tonumber(ARGV[1])
if incoming <= current then return 0 end
redis.call('DEL', KEYS[1])
for i = 2, #ARGV, 1000 do
  redis.call('RPUSH', KEYS[1], unpack(ARGV, i, math.min(i + 999, #ARGV)))
end
redis.call('SET', KEYS[2], incoming)
return 1
"""
# The documents KEYS[2..], if KEYS[1] (a generation counter) still reads ARGV[1].
_DOCUMENTS_AT_GENERATION = """
if (redis.call('GET', KEYS[1]) or '0') ~= ARGV[1] then return false end
if #KEYS == 1 then return {} end
return redis.call('MGET', unpack(KEYS, 2))
"""
_PAGE_OF_LIST = """
if redis.call('EXISTS', KEYS[2]) == 0 then return false end
local first, size = tonumber(ARGV[1]), tonumber(ARGV[2])
local ids = redis.call('LRANGE', KEYS[1], first, first + size - 1)
local keys = {}
for i, id in ipairs(ids) do keys[i] = ARGV[3] .. id end
local documents = {}
if #keys > 0 then documents = redis.call('MGET', unpack(keys)) end
return {redis.call('LLEN', KEYS[1]), ids, documents}
"""


ScriptCall = tuple[Script, list, list]        # (script, keys, args)


def run_scripts(redis: Redis, calls: list[ScriptCall]) -> list:
    """The calls in one pipelined round trip, by their SHA only: a pipeline of scripts
    run the usual way asks SCRIPT EXISTS first, a second round trip each time. If Redis
    lost them (a restart), they are loaded and the calls run again (every script here
    is idempotent: version-gated or max-raising)."""
    if not calls:
        return []
    for attempt in (1, 2):
        pipe = redis.pipeline(transaction=False)
        for script, keys, args in calls:
            pipe.evalsha(script.sha, len(keys), *keys, *args)
        try:
            return pipe.execute()
        except NoScriptError:
            if attempt == 2:
                raise
            for script in {script.sha: script for script, _k, _a in calls}.values():
                redis.script_load(script.script)
    return []


class RedisDocuments:
    def __init__(self, redis: Redis):
        self.redis = redis
        self._at_generation = redis.register_script(_DOCUMENTS_AT_GENERATION)
        self._set_if_newer = redis.register_script(_SET_IF_NEWER)
        self._max_set = redis.register_script(_MAX_SET)
        self._page_of_list = redis.register_script(_PAGE_OF_LIST)
        self._put_list = redis.register_script(_PUT_LIST_IF_NEWER)

    def put(self, key: str, document: str | bytes, version: int) -> bool:
        written = self._set_if_newer(keys=[key, f"{key}:v"], args=[document, version])
        return bool(written)

    def get(self, key: str) -> bytes | None:
        return self.redis.get(key)

    def version(self, key: str) -> int:
        return int(self.redis.get(f"{key}:v") or 0)

    def raise_to(self, values: dict[str, int]) -> None:
        """Each key becomes max(its value, the given one), all in one script."""
        self._max_set(keys=list(values), args=list(values.values()))

    def raising(self, values: dict[str, int]) -> ScriptCall:
        """`raise_to` as a call for run_scripts."""
        return self._max_set, list(values), list(values.values())

    def documents_at_generation(self, generation_key: str, generation: int,
                                keys: list[str]) -> list[bytes | None] | None:
        """The documents (None where missing), or None once the generation moved."""
        found = self._at_generation(keys=[generation_key, *keys], args=[generation])
        return None if found is None else list(found)

    def page_of_list(self, list_key: str, document_prefix: str, first: int,
                     size: int) -> tuple[int, list[tuple[int, bytes | None]]] | None:
        """(length of the list, [(id, its document or None)] for the page), or None
        when the list is not in Redis."""
        answer = self._page_of_list(keys=[list_key, f"{list_key}:v"],
                                    args=[first, size, document_prefix])
        if not answer:
            return None
        total, ids, documents = answer
        return int(total), [(int(i), d or None) for i, d in zip(ids, documents)]

    def put_list(self, key: str, ids: list[int], version: int) -> bool:
        written = self._put_list(keys=[key, f"{key}:v"], args=[version, *ids])
        return bool(written)

    def put_many(self, documents: Iterable[tuple[str, str | bytes, int]]) -> int:
        """Many `put`s (key, document, version) in one round trip; how many were written."""
        return sum(run_scripts(self.redis, [
            (self._set_if_newer, [key, f"{key}:v"], [document, version])
            for key, document, version in documents]))

    def put_lists(self, lists: Iterable[tuple[str, list[int], int]]) -> int:
        """Many `put_list`s (key, ids, version) in one round trip."""
        return sum(run_scripts(self.redis, [(self._put_list, [key, f"{key}:v"], [version, *ids])
                                            for key, ids, version in lists]))

    def whole_list(self, key: str) -> list[int] | None:
        if not self.redis.exists(f"{key}:v"):
            return None
        return [int(i) for i in self.redis.lrange(key, 0, -1)]
