"""Ready-to-send JSON documents in Redis, each written only if newer than what is there.

The document and its version change together inside one Lua script, so a stale
or duplicate write can never replace a newer document.
"""
from __future__ import annotations

from redis import Redis

from read_models.framework import Outcome

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


# One round trip for a page of a stored id list: slice the JSON array and fetch the
# documents of those ids. (The document keys are derived inside the script, so on a
# Redis Cluster the list and its documents must share a hash slot.)
_PAGE_OF_LIST = """
local raw = redis.call('GET', KEYS[1])
if not raw then return false end
local ids = cjson.decode(raw)
local first, size = tonumber(ARGV[1]), tonumber(ARGV[2])
local keys, page_ids = {}, {}
for i = first + 1, math.min(first + size, #ids) do
  page_ids[#page_ids + 1] = tostring(ids[i])
  keys[#keys + 1] = ARGV[3] .. ids[i]
end
local documents = {}
if #keys > 0 then documents = redis.call('MGET', unpack(keys)) end
return {#ids, page_ids, documents}
"""


class RedisDocuments:
    def __init__(self, redis: Redis):
        self.redis = redis
        self._set_if_newer = redis.register_script(_SET_IF_NEWER)
        self._max_set = redis.register_script(_MAX_SET)
        self._page_of_list = redis.register_script(_PAGE_OF_LIST)

    def put(self, key: str, document: str | bytes, version: int) -> Outcome:
        written = self._set_if_newer(keys=[key, f"{key}:v"], args=[document, version])
        return Outcome.APPLIED if written else Outcome.DUPLICATE

    def get(self, key: str) -> bytes | None:
        return self.redis.get(key)

    def version(self, key: str) -> int:
        return int(self.redis.get(f"{key}:v") or 0)

    def raise_to(self, values: dict[str, int]) -> None:
        """Each key becomes max(its value, the given one), all in one script."""
        self._max_set(keys=list(values), args=list(values.values()))

    def page_of_list(self, list_key: str, document_prefix: str, first: int,
                     size: int) -> tuple[int, list[tuple[int, bytes | None]]] | None:
        """(length of the list, [(id, its document or None)] for the page), or None
        when the list is not in Redis."""
        answer = self._page_of_list(keys=[list_key], args=[first, size, document_prefix])
        if not answer:
            return None
        total, ids, documents = answer
        return int(total), [(int(i), d or None) for i, d in zip(ids, documents)]
