"""The library as the read tables hold it: the entries' Redis forms, the stats document,
and a whole library read at one version (what refills Redis and what verify compares)."""
from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Connection, Engine, select, text

from read_models.stores import library_documents as docs
from read_models.stores import library_stats as stats
from read_models.stores.library_redis import LibrarySnapshot
from read_models.stores.library_tables import (
    read_favorites,
    read_library_stats,
    read_watchlist,
)

_GENRE_NAMES = text("SELECT id, name FROM read_genres")
GENRE_NAMES_SECONDS = 60.0
_genre_names: dict[str, tuple[float, dict[int, str]]] = {}


def genre_names(conn: Connection) -> dict[int, str]:
    """read_genres' names, kept a minute per database (they change with a daily sync)."""
    names = _kept_genre_names(conn.engine)
    if names is None:
        names = dict(conn.execute(_GENRE_NAMES).all())
        _genre_names[str(conn.engine.url)] = (time.monotonic(), names)
    return names


def genre_names_on(engine: Engine) -> dict[int, str]:
    """The same, connecting only when the kept names are stale."""
    names = _kept_genre_names(engine)
    if names is None:
        with engine.connect() as conn:
            names = genre_names(conn)
    return names


def _kept_genre_names(engine: Engine) -> dict[int, str] | None:
    kept = _genre_names.get(str(engine.url))
    if kept is None or time.monotonic() - kept[0] > GENRE_NAMES_SECONDS:
        return None
    return kept[1]


def favorite_entry(row) -> str:
    return docs.favorite_entry(row.rating, row.notes, row.added_at, row.updated_at)


def watchlist_entry(row) -> str:
    return docs.watchlist_entry(row.added_at, row.watched, row.watched_at)


def stats_document(conn: Connection, counters: dict[str, Any]) -> str:
    return docs.dump(stats.document(counters, genre_names(conn)))


def stats_document_on(engine: Engine, counters: dict[str, Any]) -> str:
    return docs.dump(stats.document(counters, genre_names_on(engine)))


def read_snapshot(engine: Engine, user_id: str) -> LibrarySnapshot | None:
    """The library as the read tables hold it, at one version (None: no library yet)."""
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
        with conn.begin():
            row = conn.execute(select(read_library_stats).where(
                read_library_stats.c.user_id == user_id)).first()
            if row is None:
                return None
            favorites = conn.execute(select(read_favorites).where(
                read_favorites.c.user_id == user_id)).all()
            watchlist = conn.execute(select(read_watchlist).where(
                read_watchlist.c.user_id == user_id)).all()
            document = stats_document(conn, row.counters)
    return LibrarySnapshot(
        user_id, row.version, document,
        [(f.tmdb_id, favorite_entry(f), docs.millis(f.added_at)) for f in favorites],
        [(w.tmdb_id, watchlist_entry(w), docs.millis(w.added_at)) for w in watchlist])

