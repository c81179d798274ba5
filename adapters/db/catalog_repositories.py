"""Repositories of the catalog aggregates (same RowMapper as accounts)."""
from __future__ import annotations

from adapters.db import catalog_tables as tables
from adapters.db.repositories import RowMapper
from domain.aggregate import Aggregate
from domain.catalog.fields import MOVIE_FIELDS
from domain.catalog.model import CuratedList, GenreCatalog, Movie
from domain.catalog.vocabulary import RELATION_KINDS
from domain.ports import CuratedListRepository, GenreCatalogRepository, MovieRepository


class SqlMovieRepository(RowMapper, MovieRepository):
    """TMDb's fields live in one JSONB column; the catalog's own state in columns."""

    table = tables.movies
    columns = ("content_hash", "delisted", "detail_complete", *RELATION_KINDS)

    def to_row(self, movie: Aggregate) -> dict:
        return {**super().to_row(movie), "tmdb_id": movie.tmdb_id,
                "fields": movie.tmdb_fields}

    def get(self, tmdb_id: int) -> Movie | None:
        row = self._one(self.table.c.id == str(tmdb_id))
        if row is None:
            return None
        fields = {name: value for name, value in row.pop("fields").items()
                  if name in MOVIE_FIELDS}
        row.pop("tmdb_id")
        return self._track(Movie(**row, **fields), self)

    def add(self, movie: Movie) -> None:
        self._track(movie, self)


class SqlGenreCatalogRepository(RowMapper, GenreCatalogRepository):
    table = tables.genre_catalogs
    columns = ()

    def to_row(self, catalog: Aggregate) -> dict:
        return {"genres": {str(gid): name for gid, name in catalog.genres.items()}}

    def get(self, catalog_id: str) -> GenreCatalog | None:
        row = self._one(self.table.c.id == catalog_id)
        if row is None:
            return None
        genres = {int(gid): name for gid, name in row["genres"].items()}
        return self._track(GenreCatalog(id=row["id"], genres=genres,
                                        version=row["version"]), self)

    def add(self, catalog: GenreCatalog) -> None:
        self._track(catalog, self)


class SqlCuratedListRepository(RowMapper, CuratedListRepository):
    table = tables.curated_lists
    columns = ("tmdb_ids", "refreshed_at")

    def get(self, name: str) -> CuratedList | None:
        row = self._one(self.table.c.id == name)
        return self._track(CuratedList(**row), self) if row else None

    def add(self, curated: CuratedList) -> None:
        self._track(curated, self)
