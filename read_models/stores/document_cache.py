"""Redis as a cache that warms itself: a read that misses a document finds it in the
Postgres read table and writes it back through the same version-gated script the
projections use, so a stale copy can never overwrite a newer one. After a Redis
restart, eviction or flush, each key is warm again after its first read (or all of
them after `movienexus read-models warm`). `/metrics` counts hits and misses."""
from __future__ import annotations

import logging
from typing import Iterable

from prometheus_client import Counter
from redis.exceptions import RedisError

from read_models.stores.redis_docs import RedisDocuments

log = logging.getLogger(__name__)

LOOKUPS = Counter("read_model_documents_total",
                  "Read-model documents asked of Redis, by result (hit, miss, unavailable)",
                  ["result"])
_HIT, _MISS, _DOWN = (LOOKUPS.labels(r) for r in ("hit", "miss", "unavailable"))


def get(documents: RedisDocuments, key: str) -> bytes | None:
    """The document, or None on a miss or with Redis down (counted either way)."""
    try:
        found = documents.get(key)
    except RedisError:
        _DOWN.inc()
        log.warning("redis unavailable, reading %s from postgres", key)
        return None
    (_HIT if found is not None else _MISS).inc()
    return found


def get_many(documents: RedisDocuments, keys: list[str]) -> list[bytes | None]:
    if not keys:
        return []
    try:
        found = documents.redis.mget(keys)
    except RedisError:
        _DOWN.inc(len(keys))
        log.warning("redis unavailable, reading %d documents from postgres", len(keys))
        return [None] * len(keys)
    misses = sum(1 for document in found if document is None)
    _HIT.inc(len(keys) - misses)
    _MISS.inc(misses)
    return found


def count(hits: int, misses: int) -> None:
    """For reads that fetch documents in their own script (a curated list's page)."""
    _HIT.inc(hits)
    _MISS.inc(misses)


def refill(documents: RedisDocuments, puts: Iterable[tuple[str, str | bytes, int]]) -> None:
    """Writes back what a miss read from Postgres: (key, document, version), each only
    if newer than what Redis holds. Best effort: a read never fails for it."""
    puts = list(puts)
    if not puts:
        return
    try:
        documents.put_many(puts)
    except RedisError as exc:
        log.warning("could not refill %d documents: %r", len(puts), exc)


def refill_list(documents: RedisDocuments, key: str, ids: list[int], version: int) -> None:
    if not version:
        return
    try:
        documents.put_list(key, ids, version)
    except RedisError as exc:
        log.warning("could not refill %s: %r", key, exc)
