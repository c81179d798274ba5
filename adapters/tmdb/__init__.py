"""The TMDb adapter: a v3 client with typed errors, retries and one rate limit shared
through Redis by every process. Importing it needs no credentials and no network."""
from adapters.tmdb.client import TmdbClient
from adapters.tmdb.errors import (
    RateLimiterUnavailable, RateLimitTimeout, TmdbBadRequest, TmdbError, TmdbNotFound,
    TmdbRateLimited, TmdbUnauthorized, TmdbUnavailable, error_from_response)
from adapters.tmdb.factory import build_rate_limiter, build_tmdb_client
from adapters.tmdb.metrics import ClientStats
from adapters.tmdb.rate_limit import RedisTokenBucket

__all__ = [
    "ClientStats", "RateLimitTimeout", "RateLimiterUnavailable", "RedisTokenBucket",
    "TmdbBadRequest", "TmdbClient", "TmdbError", "TmdbNotFound", "TmdbRateLimited",
    "TmdbUnauthorized", "TmdbUnavailable", "build_rate_limiter", "build_tmdb_client",
    "error_from_response",
]
