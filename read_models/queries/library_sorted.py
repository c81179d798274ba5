"""Filtered and sorted pages of a large library, without reading it whole per request.

The ids a filter and sort select, in order, are computed once from the read tables
(`filtered_entries`: ids only, so a 5,000-entry library is one index-ordered query) and
kept in Redis under the library's version and the catalog's generation; every page
after that is one pipelined round trip (the page's entries and cards), like the plain
page. A write to the library or any applied movie change moves the version or the
generation, and the next read computes the ids again."""
from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING

from sqlalchemy import select

from read_models.queries.catalog_queries import Page
from read_models.stores import library_documents as docs
from read_models.stores import movie_documents as movie_docs

if TYPE_CHECKING:
    from read_models.queries.library_queries import EntryFilters, Stores

KEEP_SECONDS = 600


def sorted_page(stores: Stores, user_id: str, kind: str, filters: EntryFilters,
                first: int, size: int) -> Page | None:
    """None when Redis does not hold this library (the caller reads the tables)."""
    redis = stores.library.redis
    version, generation = redis.mget(docs.library_key(user_id, "v"),
                                     movie_docs.CATALOG_GENERATION_KEY)
    if version is None:
        return None
    stamp = [int(version), int(generation or 0)]
    key = _key(user_id, kind, filters)
    cached = json.loads(redis.get(key) or "{}")
    ids = cached["ids"] if cached.get("at") == stamp else None
    if ids is None:
        ids = _ids(stores, user_id, kind, filters)
        redis.set(key, json.dumps({"at": stamp, "ids": ids}), ex=KEEP_SECONDS)
    return Page(_items(stores, user_id, kind, ids[first:first + size]), len(ids))


def _key(user_id: str, kind: str, filters: EntryFilters) -> str:
    described = json.dumps([filters.q and filters.q.casefold(), sorted(filters.genres),
                            filters.min_rating, filters.watched, filters.sort])
    return docs.library_key(user_id, f"{kind}-sorted:" + hashlib.blake2b(
        described.encode(), digest_size=10).hexdigest())


def _ids(stores: Stores, user_id: str, kind: str, filters: EntryFilters) -> list[int]:
    from read_models.queries.library_queries import TABLES, filtered_entries
    table = TABLES[kind]
    query = filtered_entries(select(table.c.tmdb_id), table, user_id, filters)
    with stores.engine.connect() as conn:
        return list(conn.execute(query).scalars())


def _items(stores: Stores, user_id: str, kind: str, ids: list[int]) -> list[bytes]:
    if not ids:
        return []
    pipe = stores.library.redis.pipeline(transaction=False)
    pipe.hmget(docs.library_key(user_id, kind), ids)
    pipe.mget([movie_docs.card_key(i) for i in ids])
    entries, cards = pipe.execute()
    return [docs.item(card, entry) for entry, card in zip(entries, cards) if entry and card]
