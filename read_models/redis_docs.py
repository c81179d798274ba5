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
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local incoming = tonumber(ARGV[1])
if incoming > current then redis.call('SET', KEYS[1], incoming) end
return math.max(current, incoming)
"""


class RedisDocuments:
    def __init__(self, redis: Redis):
        self.redis = redis
        self._set_if_newer = redis.register_script(_SET_IF_NEWER)
        self._max_set = redis.register_script(_MAX_SET)

    def put(self, key: str, document: str | bytes, version: int) -> Outcome:
        written = self._set_if_newer(keys=[key, f"{key}:v"], args=[document, version])
        return Outcome.APPLIED if written else Outcome.DUPLICATE

    def get(self, key: str) -> bytes | None:
        return self.redis.get(key)

    def version(self, key: str) -> int:
        return int(self.redis.get(f"{key}:v") or 0)

    def raise_to(self, key: str, value: int) -> int:
        return int(self._max_set(keys=[key], args=[value]))
