"""What the syncs ask of the catalog's write tables: which movies are stored, and
which movies the curated lists hold."""
from __future__ import annotations

from itertools import chain, zip_longest
from typing import Iterable

from sqlalchemy import Engine, select

from sqlalchemy import func

from adapters.db.catalog_tables import curated_lists, movies
from adapters.db.library_tables import library_favorites


def stored_movie_ids(engine: Engine, tmdb_ids: Iterable[int]) -> list[int]:
    """The ids among `tmdb_ids` the catalog holds (delisted ones too), in their order."""
    wanted = list(dict.fromkeys(int(i) for i in tmdb_ids))
    if not wanted:
        return []
    query = select(movies.c.tmdb_id).where(movies.c.tmdb_id.in_(wanted))
    with engine.connect() as conn:
        stored = set(conn.execute(query).scalars())
    return [i for i in wanted if i in stored]


def incomplete_movie_ids(engine: Engine, tmdb_ids: Iterable[int]) -> list[int]:
    """The ids among `tmdb_ids` stored with list fields only (not delisted), in order."""
    wanted = list(dict.fromkeys(int(i) for i in tmdb_ids))
    if not wanted:
        return []
    query = select(movies.c.tmdb_id).where(movies.c.tmdb_id.in_(wanted),
                                           movies.c.detail_complete.is_(False),
                                           movies.c.delisted.is_(False))
    with engine.connect() as conn:
        incomplete = set(conn.execute(query).scalars())
    return [i for i in wanted if i in incomplete]


def favorited_movie_ids(engine: Engine, limit: int) -> list[int]:
    """Up to `limit` movies people favorited, the most favorited first."""
    query = (select(library_favorites.c.tmdb_id).group_by(library_favorites.c.tmdb_id)
             .order_by(func.count().desc(), library_favorites.c.tmdb_id).limit(limit))
    with engine.connect() as conn:
        return list(conn.execute(query).scalars())


def curated_movie_ids(engine: Engine, limit: int) -> list[int]:
    """Up to `limit` listed movies still on TMDb, best-ranked first: every list's first
    movie, then every list's second, and so on (each movie once)."""
    with engine.connect() as conn:
        lists = list(conn.execute(select(curated_lists.c.tmdb_ids)
                                  .order_by(curated_lists.c.id)).scalars())
        delisted = set(conn.execute(select(movies.c.tmdb_id)
                                    .where(movies.c.delisted.is_(True))).scalars())
    by_rank = chain.from_iterable(zip_longest(*lists))
    distinct = dict.fromkeys(i for i in by_rank if i is not None and i not in delisted)
    return list(distinct)[:limit]
