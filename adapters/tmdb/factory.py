"""Builds the TMDb client from `Settings`; nothing here opens a connection."""
from __future__ import annotations

from typing import Any

import redis

from adapters.tmdb.client import TmdbClient
from adapters.tmdb.rate_limit import DEFAULT_KEY_PREFIX, RedisTokenBucket
from movienexus.config import Settings


def build_rate_limiter(settings: Settings, redis_client: redis.Redis | None = None, *,
                       key_prefix: str = DEFAULT_KEY_PREFIX,
                       burst: float | None = None) -> RedisTokenBucket | None:
    """The shared bucket at TMDB_RATE_LIMIT requests/s; none when that is 0 or less."""
    if settings.tmdb_rate_limit <= 0:
        return None
    if redis_client is None:  # from_url connects on first command, not here
        redis_client = redis.Redis.from_url(settings.redis_url, socket_timeout=2,
                                            socket_connect_timeout=2)
    return RedisTokenBucket(redis_client, settings.tmdb_rate_limit, capacity=burst,
                            key_prefix=key_prefix)


def build_tmdb_client(settings: Settings, redis_client: redis.Redis | None = None, *,
                      key_prefix: str = DEFAULT_KEY_PREFIX, burst: float | None = None,
                      **client_options: Any) -> TmdbClient:
    """The client the settings describe: real TMDb with the operator's credentials,
    else the bundled server with its development key. `client_options` go to TmdbClient."""
    limiter = build_rate_limiter(settings, redis_client, key_prefix=key_prefix, burst=burst)
    return TmdbClient(settings.tmdb_base_url, api_key=settings.tmdb_client_api_key or None,
                      read_token=settings.tmdb_read_token or None, rate_limiter=limiter,
                      **client_options)
