"""Which catalog movies an import's ids name: TMDb ids the catalog holds, IMDb ids
of the movies whose detail it has (TMDb's /find is asked for the rest)."""
from __future__ import annotations

from sqlalchemy import Engine, select

from read_models.stores.catalog_tables import read_movies


def known_ids(engine: Engine, tmdb_ids: list[int]) -> set[int]:
    if not tmdb_ids:
        return set()
    with engine.connect() as conn:
        return set(conn.execute(select(read_movies.c.tmdb_id).where(
            read_movies.c.tmdb_id.in_(tmdb_ids), ~read_movies.c.delisted)).scalars())


def ids_by_imdb(engine: Engine, imdb_ids: list[str]) -> dict[str, int]:
    if not imdb_ids:
        return {}
    imdb = read_movies.c.fields["imdb_id"].astext
    with engine.connect() as conn:
        rows = conn.execute(select(imdb, read_movies.c.tmdb_id).where(
            imdb.in_(imdb_ids), ~read_movies.c.delisted)).all()
    return dict(rows)
