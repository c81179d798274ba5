"""Catalog command handlers: load through the unit of work, call the aggregate, commit."""
from __future__ import annotations

from domain.catalog import commands
from domain.catalog.fields import movie_fields
from domain.catalog.model import GENRE_CATALOG_ID, CuratedList, GenreCatalog, Movie
from domain.errors import NotFound
from domain.ports import Clock, UnitOfWork


def import_movie(cmd: commands.ImportMovie, uow: UnitOfWork) -> Movie:
    fields = movie_fields(cmd.data)
    with uow:
        movie = uow.movies.get(fields["tmdb_id"])
        if movie is None:
            movie = Movie.import_new(fields, cmd.complete)
            uow.movies.add(movie)
        else:
            movie.sync(fields, cmd.complete)
        uow.commit()
    return movie


def delist_movie(cmd: commands.DelistMovie, uow: UnitOfWork) -> Movie:
    with uow:
        movie = _existing_movie(uow, cmd.tmdb_id)
        movie.delist(cmd.reason)
        uow.commit()
    return movie


def refresh_relations(cmd: commands.RefreshRelations, uow: UnitOfWork) -> Movie:
    with uow:
        movie = _existing_movie(uow, cmd.tmdb_id)
        movie.refresh_relations(cmd.kind, cmd.tmdb_ids)
        uow.commit()
    return movie


def sync_genres(cmd: commands.SyncGenres, uow: UnitOfWork) -> GenreCatalog:
    with uow:
        catalog = uow.genres.get(GENRE_CATALOG_ID)
        if catalog is None:
            catalog = GenreCatalog(id=GENRE_CATALOG_ID)
            uow.genres.add(catalog)
        catalog.sync(cmd.genres)
        uow.commit()
    return catalog


def refresh_list(cmd: commands.RefreshList, uow: UnitOfWork, clock: Clock) -> CuratedList:
    with uow:
        curated = uow.lists.get(cmd.name)
        if curated is None:
            curated = CuratedList.named(cmd.name)
            uow.lists.add(curated)
        curated.refresh(cmd.tmdb_ids, clock.now())
        uow.commit()
    return curated


def _existing_movie(uow: UnitOfWork, tmdb_id: int) -> Movie:
    movie = uow.movies.get(int(tmdb_id))
    if movie is None:
        raise NotFound(f"No movie {tmdb_id} in the catalog.")
    return movie


HANDLERS = {
    commands.ImportMovie: import_movie,
    commands.DelistMovie: delist_movie,
    commands.RefreshRelations: refresh_relations,
    commands.SyncGenres: sync_genres,
    commands.RefreshList: refresh_list,
}
