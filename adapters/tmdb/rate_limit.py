"""One TMDb rate limit shared by every process: a token bucket kept in Redis.

The bucket refills at `rate` tokens a second up to `capacity` (the burst). A Lua
script reads the clock with Redis `TIME` (one clock for every machine), refills,
and *reserves* a token: when none is left it lets the balance go negative and
answers how long the caller must sleep until its token is due. Reservations are
granted in the order they reach Redis, so no process starves and each token costs
one round trip. A reservation that would need more than the caller's timeout is
not made; the caller gets `RateLimitTimeout` straight away instead of sleeping
for nothing.
"""
from __future__ import annotations

import time
from typing import Callable

import redis

from adapters.tmdb.errors import RateLimiterUnavailable, RateLimitTimeout

DEFAULT_KEY_PREFIX = "tmdb:bucket"

# KEYS[1] bucket hash; ARGV: rate/s, capacity, tokens wanted, longest wait allowed (s).
# Returns {granted (1/0), wait in seconds as a string} (Lua floats become integers
# in replies, so the wait travels as text).
TOKEN_BUCKET_LUA = """
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local wanted = tonumber(ARGV[3])
local max_wait = tonumber(ARGV[4])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1]) or capacity
local ts = tonumber(state[2]) or now
if now > ts then
  tokens = math.min(capacity, tokens + (now - ts) * rate)
  ts = now
end
local wait = 0
if tokens < wanted then
  wait = (wanted - tokens) / rate
end
if wait > max_wait then
  return {0, tostring(wait)}
end
tokens = tokens - wanted
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(ts))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) / rate * 1000) + 1000)
return {1, tostring(wait)}
"""


class RedisTokenBucket:
    """A token bucket in Redis that every process using the same key shares."""

    def __init__(self, redis_client: redis.Redis, rate: float, *,
                 capacity: float | None = None, key_prefix: str = DEFAULT_KEY_PREFIX,
                 sleep: Callable[[float], None] = time.sleep):
        if rate <= 0:
            raise ValueError(f"rate must be positive, not {rate}")
        self.rate = float(rate)
        self.capacity = float(capacity if capacity is not None else rate)
        if self.capacity < 1:
            raise ValueError(f"capacity must be at least 1 token, not {self.capacity}")
        self.key = f"{key_prefix}:state"
        self._redis = redis_client
        self._script = redis_client.register_script(TOKEN_BUCKET_LUA)
        self._sleep = sleep

    def reserve(self, max_wait: float, tokens: int = 1) -> tuple[bool, float]:
        """Reserves `tokens` if they are due within `max_wait` s; returns (granted, wait)."""
        try:
            granted, wait = self._script(
                keys=[self.key], args=[self.rate, self.capacity, tokens, max_wait])
        except redis.RedisError as exc:
            raise RateLimiterUnavailable(
                f"the shared TMDb rate limit lives in Redis, which failed: {exc}") from exc
        return bool(int(granted)), float(wait)

    def acquire(self, timeout: float = 30.0, tokens: int = 1) -> float:
        """Blocks until `tokens` are granted; returns the seconds slept.

        Raises RateLimitTimeout at once if they cannot be granted within `timeout`.
        """
        granted, wait = self.reserve(timeout, tokens)
        if not granted:
            raise RateLimitTimeout(
                f"TMDb rate limit ({self.rate:g}/s, burst {self.capacity:g}, key "
                f"{self.key}): the next token is {wait:.2f}s away, past the "
                f"{timeout:g}s timeout")
        if wait > 0:
            self._sleep(wait)
        return wait

    def reset(self) -> None:
        """Forgets the bucket's state (it starts full again)."""
        self._redis.delete(self.key)
