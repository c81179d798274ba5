"""Which catalog movies an import's ids name: TMDb ids the catalog holds, IMDb ids
of the movies whose detail it has (TMDb's /find is asked for the rest)."""
from __future__ import annotations

from sqlalchemy import Engine, func, select

from read_models.stores.catalog_tables import read_movies


def known_ids(engine: Engine, tmdb_ids: list[int]) -> set[int]:
    if not tmdb_ids:
        return set()
    with engine.connect() as conn:
        return set(conn.execute(select(read_movies.c.tmdb_id).where(
            read_movies.c.tmdb_id.in_(tmdb_ids), ~read_movies.c.delisted)).scalars())


def by_titles(engine: Engine, lowered: list[str]) -> dict[str, list[tuple[int, str, int | None]]]:
    """Listed movies whose lower-cased title is one of `lowered`: (tmdb id, title, year)
    by that title. One query for a whole batch of an import's rows."""
    if not lowered:
        return {}
    title = func.lower(read_movies.c.title)
    found: dict[str, list[tuple[int, str, int | None]]] = {}
    with engine.connect() as conn:
        for key, tmdb_id, name, released in conn.execute(select(
                title, read_movies.c.tmdb_id, read_movies.c.title, read_movies.c.release_date)
                .where(title.in_(lowered), ~read_movies.c.delisted)):
            found.setdefault(key, []).append((tmdb_id, name, released and released.year))
    return found


def ids_by_imdb(engine: Engine, imdb_ids: list[str]) -> dict[str, int]:
    if not imdb_ids:
        return {}
    imdb = read_movies.c.fields["imdb_id"].astext
    with engine.connect() as conn:
        rows = conn.execute(select(imdb, read_movies.c.tmdb_id).where(
            imdb.in_(imdb_ids), ~read_movies.c.delisted)).all()
    return dict(rows)
