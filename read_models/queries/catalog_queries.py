"""Queries behind the Movies API: Redis first, the Postgres read tables behind it.

Hot reads are one or two Redis round trips: a detail is one GET; a list page is a GET
of the list's ids and an MGET of the page's pre-serialized cards. When Redis is down
or misses, the same documents come from read_movies / read_lists.
"""
from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass, field

from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import Engine, and_, func, select, text

from read_models.stores import document_cache
from read_models.stores import movie_documents as docs
from read_models.stores.catalog_tables import read_genres, read_lists, read_movies
from read_models.stores.redis_docs import RedisDocuments

log = logging.getLogger(__name__)

GENRES_CACHE_SECONDS = 10
SORTS = {
    "popularity": read_movies.c.popularity, "vote_average": read_movies.c.vote_average,
    "release_date": read_movies.c.release_date, "title": read_movies.c.title,
    "favorite_count": read_movies.c.favorite_count,
}


@dataclass(frozen=True)
class Page:
    """Cards (JSON text, ready to join) and how many match in all; for a search, how
    many of those match its words or start with it (not only look alike)."""

    cards: list[bytes]
    total: int
    close_matches: int = 0
    ids: list[int] = field(default_factory=list)  # of the cards (searches fill it)


@dataclass(frozen=True)
class MovieFilters:
    q: str | None = None
    genres: list[int] = field(default_factory=list)
    year: int | None = None
    year_from: int | None = None
    year_to: int | None = None
    min_rating: float | None = None
    language: str | None = None
    sort: str = "-popularity"


def _redis_get(documents: RedisDocuments, key: str) -> bytes | None:
    try:
        return documents.get(key)
    except RedisError:
        log.warning("redis unavailable, reading %s from postgres", key)
        return None


# --- one movie ---------------------------------------------------------------------

@dataclass(frozen=True)
class Detail:
    """A movie's detail JSON (`docs.TOMBSTONE`, b"", when delisted), and whether it
    holds TMDb's full detail or only what a list gave."""

    body: bytes
    complete: bool


def movie_detail(documents: RedisDocuments, engine: Engine, tmdb_id: int) -> bytes | None:
    """The detail JSON; `docs.TOMBSTONE` (b"") when delisted; None when unknown."""
    found = detail_of(documents, engine, tmdb_id)
    return found.body if found else None


def detail_of(documents: RedisDocuments, engine: Engine, tmdb_id: int) -> Detail | None:
    """One Redis round trip (Postgres when Redis misses or is down, written back to
    Redis); None when unknown. A detail stored before completeness was kept counts as
    complete."""
    body, complete = document_cache.get_many(documents, [docs.detail_key(tmdb_id),
                                                         docs.complete_key(tmdb_id)])
    if body is not None:
        return Detail(body, complete != b"0")
    with engine.connect() as conn:
        row = conn.execute(select(read_movies.c.detail, read_movies.c.delisted,
                                  read_movies.c.detail_complete, read_movies.c.version,
                                  read_movies.c.counts_seq).where(
            read_movies.c.tmdb_id == tmdb_id)).first()
    if row is None:
        return None
    body = docs.TOMBSTONE if row.delisted else docs.dump(row.detail).encode()
    version = docs.document_version(row.version, row.counts_seq)
    document_cache.refill(documents, [
        (docs.detail_key(tmdb_id), body, version),
        (docs.complete_key(tmdb_id), b"1" if row.detail_complete else b"0", version)])
    return Detail(body, row.detail_complete)


def cards(documents: RedisDocuments, engine: Engine, tmdb_ids: list[int]) -> list[bytes]:
    """The cards of these movies in this order; delisted and unknown ones left out."""
    keys = [docs.card_key(i) for i in tmdb_ids]
    found = dict(zip(tmdb_ids, document_cache.get_many(documents, keys)))
    missing = [i for i, card in found.items() if card is None]
    if missing:
        found.update(_cards_from_postgres(documents, engine, missing))
    return [card for i in tmdb_ids if (card := found.get(i))]


def _cards_from_postgres(documents: RedisDocuments, engine: Engine,
                         tmdb_ids: list[int]) -> dict[int, bytes]:
    """The stored cards (a delisted movie's is the tombstone), written back to Redis."""
    with engine.connect() as conn:
        rows = conn.execute(select(read_movies.c.tmdb_id, read_movies.c.card,
                                   read_movies.c.delisted, read_movies.c.version,
                                   read_movies.c.counts_seq).where(
            read_movies.c.tmdb_id.in_(tmdb_ids))).all()
    found = {row.tmdb_id: docs.TOMBSTONE if row.delisted else docs.dump(row.card).encode()
             for row in rows}
    document_cache.refill(documents, [
        (docs.card_key(row.tmdb_id), found[row.tmdb_id],
         docs.document_version(row.version, row.counts_seq)) for row in rows])
    return found


# --- id lists: curated lists, recommendations, similar -------------------------------

def _ids_from_redis(documents: RedisDocuments, key: str) -> list[int] | None:
    cached = document_cache.get(documents, key)
    return json.loads(cached) if cached else None


def list_ids(documents: RedisDocuments, engine: Engine, name: str) -> list[int]:
    try:
        ids = documents.whole_list(docs.list_key(name))
    except RedisError:
        ids = None
    if ids is not None:
        return ids
    with engine.connect() as conn:
        row = conn.execute(select(read_lists.c.tmdb_ids, read_lists.c.version).where(
            read_lists.c.name == name)).first()
    if row is None:
        return []
    document_cache.refill_list(documents, docs.list_key(name), list(row.tmdb_ids), row.version)
    return list(row.tmdb_ids)


def relation_ids(documents: RedisDocuments, engine: Engine, kind: str,
                 tmdb_id: int) -> list[int]:
    ids = _ids_from_redis(documents, docs.relations_key(kind, tmdb_id))
    if ids is not None:
        return ids
    with engine.connect() as conn:
        row = conn.execute(select(read_movies.c[kind], read_movies.c.version).where(
            read_movies.c.tmdb_id == tmdb_id)).first()
    if row is None:
        return []
    ids = list(row[0] or [])
    if ids:     # the projection never writes an empty one either
        document_cache.refill(documents, [(docs.relations_key(kind, tmdb_id), docs.dump(ids),
                                           row.version)])
    return ids


def list_page(documents: RedisDocuments, engine: Engine, name: str, page: int,
              page_size: int) -> Page:
    """A page of a curated list: one Redis round trip (Postgres for what Redis lacks)."""
    start = (page - 1) * page_size
    try:
        found = documents.page_of_list(docs.list_key(name), docs.card_key(""), start,
                                       page_size)
    except RedisError:
        found = None
    if found is None:
        return page_of_ids(documents, engine, list_ids(documents, engine, name), page,
                           page_size)
    total, entries = found
    missing = [tmdb_id for tmdb_id, card in entries if card is None]
    document_cache.count(len(entries) - len(missing), len(missing))
    if missing:
        return Page(cards(documents, engine, [tmdb_id for tmdb_id, _ in entries]), total)
    return Page([card for _, card in entries], total)


def page_of_ids(documents: RedisDocuments, engine: Engine, ids: list[int], page: int,
                page_size: int) -> Page:
    start = (page - 1) * page_size
    return Page(cards(documents, engine, ids[start:start + page_size]), len(ids))


# --- browsing with filters ------------------------------------------------------------

def _conditions(f: MovieFilters) -> list:
    c = read_movies.c
    conditions = [c.delisted.is_(False)]
    if f.q:
        conditions.append(func.lower(c.title).like(f"%{_escape_like(f.q.lower())}%",
                                                   escape="\\"))
    if f.genres:
        conditions.append(c.genre_ids.contains(sorted(set(f.genres))))
    for column, op, value in ((c.year, "==", f.year), (c.year, ">=", f.year_from),
                              (c.year, "<=", f.year_to),
                              (c.vote_average, ">=", f.min_rating),
                              (c.original_language, "==", f.language)):
        if value is not None:
            conditions.append(column == value if op == "==" else
                              column >= value if op == ">=" else column <= value)
    return conditions


def _order(sort: str) -> list:
    column = SORTS[sort.lstrip("-")]
    ordered = column.desc().nulls_last() if sort.startswith("-") else column.asc().nulls_last()
    return [ordered, read_movies.c.tmdb_id]


def browse(engine: Engine, filters: MovieFilters, page: int, page_size: int) -> Page:
    query = (select(read_movies.c.card, func.count().over().label("total"))
             .where(and_(*_conditions(filters))).order_by(*_order(filters.sort))
             .limit(page_size).offset((page - 1) * page_size))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
        total = rows[0].total if rows else _count(conn, filters)
    return Page([docs.dump(row.card).encode() for row in rows], total)


def _count(conn, filters: MovieFilters) -> int:
    return conn.execute(select(func.count()).select_from(read_movies).where(
        and_(*_conditions(filters)))).scalar_one()


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# --- search ---------------------------------------------------------------------------

# Full text (title A, original title B, overview C) or trigram-close titles. Exact
# titles first, then titles starting with the query, then full-text matches, each by
# text rank plus title similarity, then popularity.
_SEARCH = text("""
    WITH query AS (
        SELECT plainto_tsquery('simple', unaccent(:q))
               || plainto_tsquery('english', unaccent(:q)) AS tsq)
    SELECT m.tmdb_id, m.card, count(*) OVER () AS total,
           count(*) FILTER (WHERE m.search @@ query.tsq
                            OR lower(m.title) LIKE :prefix ESCAPE '\\') OVER () AS close
    FROM read_movies m, query
    WHERE NOT m.delisted
      AND (m.search @@ query.tsq OR lower(m.title) % :lq OR :lq <% lower(m.title)
           OR lower(m.title) LIKE :prefix ESCAPE '\\')
    ORDER BY lower(m.title) = :lq DESC,
             lower(m.title) LIKE :prefix ESCAPE '\\' DESC,
             m.search @@ query.tsq DESC,
             ts_rank_cd(m.search, query.tsq) + similarity(lower(m.title), :lq)
               + word_similarity(:lq, lower(m.title)) DESC,
             m.popularity DESC, m.tmdb_id
    LIMIT :limit OFFSET :offset
""")


def search(engine: Engine, q: str, page: int, page_size: int) -> Page:
    lowered = " ".join(q.lower().split())
    params = {"q": q, "lq": lowered, "prefix": _escape_like(lowered) + "%",
              "limit": page_size, "offset": (page - 1) * page_size}
    with engine.connect() as conn:
        rows = conn.execute(_SEARCH, params).all()
    total, close = (rows[0].total, rows[0].close) if rows else (0, 0)
    return Page([docs.dump(row.card).encode() for row in rows], total, close,
                [row.tmdb_id for row in rows])


# --- cached search pages -------------------------------------------------------------

SEARCH_CACHE_SECONDS = 300


def search_cache_key(documents: RedisDocuments, q: str, page: int,
                     page_size: int) -> str:
    """The cache key of this search page. The entry holds the catalog generation it was
    computed in; any applied movie change moves the generation, so a cached page never
    outlives the catalog it was computed from."""
    normalised = " ".join(q.lower().split())
    digest = hashlib.blake2b(normalised.encode(), digest_size=12).hexdigest()
    return f"search:{page}:{page_size}:{digest}"


def catalog_generation(documents: RedisDocuments) -> int | None:
    """Read before a search is computed (None without Redis: the page is not cached)."""
    try:
        return int(documents.redis.get(docs.CATALOG_GENERATION_KEY) or 0)
    except RedisError:
        return None


def cached_search(cache: Redis, documents: RedisDocuments, engine: Engine,
                  key: str | None) -> Page | None:
    """A search page asked before, in this catalog generation: its ids come from the
    cache database, its cards are read now (so their favorite counts are current), in
    one script that also checks the generation. Two round trips; a cache that fails,
    or a generation that moved, is a miss."""
    if key is None:
        return None
    try:
        cached = cache.get(key)
    except RedisError:
        log.warning("cache unavailable, searching without it")
        return None
    if cached is None:
        return None
    found = json.loads(cached)
    ids = found["ids"]
    if "generation" not in found:       # written by an earlier version: recompute it
        return None
    try:
        stored = documents.documents_at_generation(
            docs.CATALOG_GENERATION_KEY, found["generation"], [docs.card_key(i) for i in ids])
    except RedisError:
        return None
    if stored is None:
        return None
    return Page(_cards_found(documents, engine, ids, stored), found["total"], found["close"],
                ids)


def _cards_found(documents: RedisDocuments, engine: Engine, tmdb_ids: list[int],
                 stored: list[bytes | None]) -> list[bytes]:
    """`cards` of documents already read from Redis: PostgreSQL for the misses."""
    found = dict(zip(tmdb_ids, stored))
    missing = [i for i, card in found.items() if card is None]
    document_cache.count(len(tmdb_ids) - len(missing), len(missing))
    if missing:
        found.update(_cards_from_postgres(documents, engine, missing))
    return [card for i in tmdb_ids if (card := found.get(i))]


def cache_search(cache: Redis, key: str | None, page: Page, max_pages: int,
                 generation: int | None) -> None:
    """Keeps the page's ids, and the catalog generation they were computed in, for
    SEARCH_CACHE_SECONDS; at most `max_pages` new pages per such window (so at most
    twice that many at once, however many queries come); a cache that fails is skipped,
    never the request's failure."""
    if key is None or generation is None:
        return
    counter = f"search:pages:{int(time.time()) // SEARCH_CACHE_SECONDS}"
    try:
        pipe = cache.pipeline(transaction=False)
        pipe.incr(counter)
        pipe.expire(counter, SEARCH_CACHE_SECONDS * 2)
        written, _ = pipe.execute()
        if written <= max_pages:
            cache.set(key, json.dumps({"generation": generation, "ids": page.ids,
                                       "total": page.total, "close": page.close_matches}),
                      ex=SEARCH_CACHE_SECONDS)
    except RedisError as exc:
        log.warning("search page not cached: %r", exc)


# --- genres ---------------------------------------------------------------------------

def genres_body(documents: RedisDocuments, engine: Engine) -> bytes:
    """GET /genres: cached in Redis for a few seconds (movie counts move with imports)."""
    cached = _redis_get(documents, docs.GENRES_KEY)
    if cached is not None:
        return cached
    with engine.connect() as conn:
        rows = conn.execute(select(read_genres).where(read_genres.c.name != "")
                            .order_by(read_genres.c.name)).mappings().all()
    body = docs.dump(docs.genre_list([dict(row) for row in rows])).encode()
    try:
        documents.redis.set(docs.GENRES_KEY, body, ex=GENRES_CACHE_SECONDS)
    except RedisError:
        pass
    return body


def genre_exists(engine: Engine, genre_id: int) -> bool:
    with engine.connect() as conn:
        return conn.execute(select(read_genres.c.id).where(
            read_genres.c.id == genre_id, read_genres.c.name != "")).first() is not None
