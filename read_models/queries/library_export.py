"""A person's whole library as the export writes it: each favorite and watchlist entry
with its movie's title and year, from the read tables."""
from __future__ import annotations

from sqlalchemy import Engine, select

from read_models.stores.catalog_tables import read_movies
from read_models.stores.library_tables import read_favorites, read_watchlist


def library_entries(engine: Engine, user_id: str) -> tuple[list[dict], list[dict]]:
    """(favorites, watchlist), each oldest first."""
    with engine.connect() as conn:
        return (_entries(conn, read_favorites, user_id),
                _entries(conn, read_watchlist, user_id))


def _entries(conn, table, user_id: str) -> list[dict]:
    rows = conn.execute(
        select(table, read_movies.c.title)
        .join(read_movies, read_movies.c.tmdb_id == table.c.tmdb_id, isouter=True)
        .where(table.c.user_id == user_id)
        .order_by(table.c.added_at, table.c.tmdb_id)).mappings()
    return [dict(row) for row in rows]
