"""Queries behind /me/favorites, /me/watchlist, /me/stats, /me/recommendations and the
`me` block of a movie's detail: Redis first, the read tables behind it.

A list page is one Redis script: the page's ids by time added, their entries and their
cards. Filters and the other sorts take the person's whole list in the same one round
trip and filter and sort it here (a person's list is small next to the catalog). When
Redis does not hold the library, the read tables answer and the library is copied to
Redis for the next read; when Redis is down, the read tables answer.
"""
from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from redis.exceptions import RedisError
from sqlalchemy import Engine, and_, func, select, text

from read_models.queries import catalog_queries
from read_models.queries.catalog_queries import Page
from read_models.stores import library_documents as docs
from read_models.stores import library_stats as stats
from read_models.stores import movie_documents as movie_docs
from read_models.stores.catalog_tables import read_movies
from read_models.stores.library_redis import (
    EntryPage,
    LibraryDocuments,
    LibrarySnapshot,
)
from read_models.stores.library_snapshot import read_snapshot, stats_document
from read_models.stores.library_tables import (
    read_favorites,
    read_library_stats,
    read_watchlist,
    recommendation_lists,
)
from read_models.stores.redis_docs import RedisDocuments

log = logging.getLogger(__name__)

FAVORITE_SORTS = ("added_at", "rating", "title", "release_date", "popularity")
WATCHLIST_SORTS = ("added_at", "watched_at", "title", "release_date", "popularity")
CARD_SORTS = {"title", "release_date", "popularity"}


@dataclass(frozen=True)
class EntryFilters:
    q: str | None = None
    genres: list[int] = field(default_factory=list)
    min_rating: int | None = None   # favorites
    watched: bool | None = None     # watchlist
    sort: str = "-added_at"

    @property
    def plain(self) -> bool:
        """No filter, sorted by time added: one page straight from Redis."""
        return (not self.q and not self.genres and self.min_rating is None
                and self.watched is None and self.sort.lstrip("-") == "added_at")


@dataclass(frozen=True)
class Stores:
    documents: RedisDocuments
    library: LibraryDocuments
    engine: Engine


def _redis(action: Callable[[], Any], what: str) -> Any:
    try:
        return action()
    except RedisError:
        log.warning("redis unavailable, reading %s from postgres", what)
        return None


# --- favorites and watchlist -----------------------------------------------------------

def entries_page(stores: Stores, user_id: str, kind: str, filters: EntryFilters, page: int,
                 size: int) -> Page:
    """kind: "fav" (favorites) or "wl" (watchlist). Items are ready-to-send JSON."""
    first = (page - 1) * size
    if filters.plain:
        found = _redis(lambda: stores.library.entries(
            user_id, kind, first, first + size - 1, filters.sort.startswith("-"),
            movie_docs.card_key("")), f"{kind} of {user_id}")
        if (ready := page_of_entries(stores, found)) is not None:
            return ready
    from read_models.queries.library_sorted import sorted_page
    ready = _redis(lambda: sorted_page(stores, user_id, kind, filters, first, size),
                   f"sorted {kind} of {user_id}")
    if ready is not None:
        return ready
    found = _redis(lambda: stores.library.entries(user_id, kind, 0, -1, True,
                                                  movie_docs.card_key("")),
                   f"{kind} of {user_id}")
    if found is None:
        _warm(stores, user_id)
        return _entries_from_tables(stores.engine, user_id, kind, filters, page, size)
    return _filtered(stores, found, filters, first, size)


def page_of_entries(stores: Stores, found: EntryPage | None) -> Page | None:
    """The page of a plain range read from Redis; None when Redis lacks the library or
    one of its movies is delisted or unknown (then `entries_page` filters the whole)."""
    if found is None:
        return None
    items = _joined(stores, found.entries)
    return None if items is None else Page(items, found.total)


def _joined(stores: Stores, entries: list[tuple[int, bytes | None, bytes | None]]
            ) -> list[bytes] | None:
    """The items of a page; None when one of its movies is delisted or unknown (then
    the total must be counted without it, so the caller filters the whole list)."""
    cards = _cards(stores, entries)
    if len(cards) < len(entries):
        return None
    return [docs.item(cards[tmdb_id], entry) for tmdb_id, entry, _card in entries]


def _cards(stores: Stores, entries) -> dict[int, bytes]:
    """Cards by id, from Redis where it had them, else from read_movies; delisted and
    unknown movies left out."""
    cards = {tmdb_id: card for tmdb_id, _entry, card in entries if card}
    missing = [tmdb_id for tmdb_id, _entry, card in entries if card is None]
    if missing:
        filled = catalog_queries.cards(stores.documents, stores.engine, missing)
        cards.update({json.loads(card)["tmdb_id"]: card for card in filled})
    return cards


def _filtered(stores: Stores, found: EntryPage, filters: EntryFilters, first: int,
              size: int) -> Page:
    cards = _cards(stores, found.entries)
    rows = [(tmdb_id, entry, cards[tmdb_id]) for tmdb_id, entry, _c in found.entries
            if tmdb_id in cards and entry]
    parsed = [(tmdb_id, json.loads(entry), json.loads(card) if _needs_card(filters) else None,
               entry, card) for tmdb_id, entry, card in rows]
    kept = [row for row in parsed if _keeps(filters, row[1], row[2])]
    kept.sort(key=_sort_key(filters))
    return Page([docs.item(card, entry) for *_x, entry, card in kept[first:first + size]],
                len(kept))


def _needs_card(filters: EntryFilters) -> bool:
    return bool(filters.q or filters.genres or filters.sort.lstrip("-") in CARD_SORTS)


def _keeps(filters: EntryFilters, entry: dict, card: dict | None) -> bool:
    if filters.min_rating is not None and (entry.get("rating") or 0) < filters.min_rating:
        return False
    if filters.watched is not None and entry.get("watched") != filters.watched:
        return False
    if filters.q and filters.q.casefold() not in card["title"].casefold():
        return False
    if filters.genres and not set(filters.genres) <= {g["id"] for g in card["genres"]}:
        return False
    return True


def _sort_key(filters: EntryFilters) -> Callable:
    """Nulls last either way; ties newest added first. The list arrives newest first,
    and Python's sort is stable, so a tie keeps that order."""
    name, descending = filters.sort.lstrip("-"), filters.sort.startswith("-")

    def value(row) -> Any:
        entry, card = row[1], row[2]
        if name in ("added_at", "watched_at", "rating"):
            return entry.get(name)
        if name == "title":
            return card["title"].casefold()
        return card.get(name)

    def key(row) -> tuple:
        v = value(row)
        if v is None:
            return (1, 0)
        if descending:
            return (0, _Reversed(v))
        return (0, v)
    return key


class _Reversed:
    """Orders values backwards (for descending sorts of strings and numbers alike)."""

    __slots__ = ("value",)

    def __init__(self, value: Any):
        self.value = value

    def __lt__(self, other: "_Reversed") -> bool:
        return other.value < self.value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Reversed) and other.value == self.value


TABLES = {"fav": read_favorites, "wl": read_watchlist}


def _entries_from_tables(engine: Engine, user_id: str, kind: str, filters: EntryFilters,
                         page: int, size: int) -> Page:
    table = TABLES[kind]
    query = (filtered_entries(select(table, read_movies.c.card,
                                     func.count().over().label("total")),
                              table, user_id, filters)
             .limit(size).offset((page - 1) * size))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    entry = (lambda r: docs.favorite_entry(r.rating, r.notes, r.added_at, r.updated_at)) \
        if kind == "fav" else (lambda r: docs.watchlist_entry(r.added_at, r.watched,
                                                               r.watched_at))
    items = [docs.item(movie_docs.dump(r.card).encode(), entry(r).encode()) for r in rows]
    return Page(items, rows[0].total if rows else 0)


def filtered_entries(query, table, user_id: str, filters: EntryFilters):
    """`query` joined with the movies, filtered and ordered as `filters` say (the
    one definition of each filter and sort over the read tables)."""
    m = read_movies.c
    conditions = [table.c.user_id == user_id, m.delisted.is_(False)]
    if filters.q:
        conditions.append(func.lower(m.title).like(
            "%" + catalog_queries._escape_like(filters.q.lower()) + "%", escape="\\"))
    if filters.genres:
        conditions.append(m.genre_ids.contains(sorted(set(filters.genres))))
    if filters.min_rating is not None:
        conditions.append(table.c.rating >= filters.min_rating)
    if filters.watched is not None:
        conditions.append(table.c.watched.is_(filters.watched))
    return (query.join(read_movies, read_movies.c.tmdb_id == table.c.tmdb_id)
            .where(and_(*conditions)).order_by(*_order(table, filters.sort)))


def _order(table, sort: str) -> list:
    name = sort.lstrip("-")
    column = {"title": func.lower(read_movies.c.title), "release_date": read_movies.c.release_date,
              "popularity": read_movies.c.popularity}.get(name)
    column = table.c[name] if column is None else column
    ordered = column.desc() if sort.startswith("-") else column.asc()
    return [ordered.nulls_last(), table.c.added_at.desc(), table.c.tmdb_id]


def _warm(stores: Stores, user_id: str) -> None:
    """Copies a library Redis lacks from the read tables (version-gated, so a newer copy
    is never replaced); an empty library is marked as known-empty (version 0)."""
    def copy() -> None:
        snapshot = read_snapshot(stores.engine, user_id) or LibrarySnapshot(user_id, 0, "")
        stores.library.replace(snapshot)
    _redis(copy, f"warming the library of {user_id}")


# --- stats -------------------------------------------------------------------------------

def recent_since(now: float | None = None) -> float:
    """Favorites added since then count as recent (RECENT_DAYS)."""
    return (now or time.time()) - docs.RECENT_DAYS * 86400


def stats_of(found: tuple[bytes, int]) -> bytes:
    """The stats body of what LibraryDocuments.stats found."""
    document, recent = found
    return docs.with_field(document or _empty_stats(), "recent_count", recent)


def stats_body(stores: Stores, user_id: str, now: float | None = None) -> bytes:
    since = recent_since(now)
    found = _redis(lambda: stores.library.stats(user_id, int(since * 1000)),
                   f"stats of {user_id}")
    if found is not None:
        return stats_of(found)
    _warm(stores, user_id)
    return _stats_from_tables(stores.engine, user_id, since)


def _empty_stats() -> bytes:
    return docs.dump(stats.document(stats.empty(), {})).encode()


_RECENT = text("""
    SELECT count(*) FROM read_favorites
    WHERE user_id = :user_id AND added_at >= to_timestamp(:since)
""")


def _stats_from_tables(engine: Engine, user_id: str, since: float) -> bytes:
    with engine.connect() as conn:
        counters = conn.execute(select(read_library_stats.c.counters).where(
            read_library_stats.c.user_id == user_id)).scalar()
        document = stats_document(conn, counters or stats.empty()).encode()
        recent = conn.execute(_RECENT, {"user_id": user_id, "since": since}).scalar_one()
    return docs.with_field(document, "recent_count", recent)


# --- the `me` block of a detail ----------------------------------------------------------

def me_of_movie(stores: Stores, user_id: str, tmdb_id: int) -> dict[str, Any]:
    found = _redis(lambda: stores.library.of_movie(user_id, tmdb_id), f"me of {user_id}")
    if found is not None:
        favorite, watchlist = (json.loads(raw) if raw else None for raw in found)
        return docs.me_block(favorite, watchlist)
    with stores.engine.connect() as conn:
        favorite = conn.execute(select(read_favorites.c.rating, read_favorites.c.notes).where(
            read_favorites.c.user_id == user_id,
            read_favorites.c.tmdb_id == tmdb_id)).mappings().first()
        watchlist = conn.execute(select(read_watchlist.c.watched).where(
            read_watchlist.c.user_id == user_id,
            read_watchlist.c.tmdb_id == tmdb_id)).mappings().first()
    return docs.me_block(dict(favorite) if favorite else None,
                         dict(watchlist) if watchlist else None)


# --- recommendations ---------------------------------------------------------------------

def recommendations_page(stores: Stores, user_id: str, page: int, size: int) -> Page:
    first = (page - 1) * size
    found = _redis(lambda: stores.library.recommendations(
        user_id, first, size, movie_docs.card_key("")), f"recommendations of {user_id}")
    if found is not None and (items := _joined(stores, found.entries)) is not None:
        return Page(items, found.total)
    return _recommendations_from_tables(stores, user_id, first, size)


_HELD = text("""
    SELECT tmdb_id FROM read_favorites WHERE user_id = :user_id
    UNION SELECT tmdb_id FROM read_watchlist WHERE user_id = :user_id
""")


def _recommendations_from_tables(stores: Stores, user_id: str, first: int,
                                 size: int) -> Page:
    with stores.engine.connect() as conn:
        stored = conn.execute(select(recommendation_lists.c["items"]).where(
            recommendation_lists.c.user_id == user_id)).scalar() or []
        held = set(conn.execute(_HELD, {"user_id": user_id}).scalars())
    kept = [item for item in stored if item["tmdb_id"] not in held]
    wanted = kept[first:first + size]
    cards = {json.loads(c)["tmdb_id"]: c for c in catalog_queries.cards(
        stores.documents, stores.engine, [item["tmdb_id"] for item in wanted])}
    items = [docs.item(cards[item["tmdb_id"]], docs.dump(
        {"score": item["score"], "reasons": item["reasons"]}).encode())
        for item in wanted if item["tmdb_id"] in cards]
    return Page(items, len(kept))
