"""The catalog's aggregates: Movie, GenreCatalog and CuratedList."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from domain.aggregate import Aggregate
from domain.catalog import events
from domain.catalog.fields import DEFAULTS, MOVIE_FIELDS, content_hash
from domain.catalog.vocabulary import GENRE_CATALOG_ID, LIST_NAMES, RELATION_KINDS  # noqa: F401
from domain.errors import InvalidInput



@dataclass(eq=False)
class Movie(Aggregate):
    """A TMDb movie (id = str(tmdb_id)) with TMDb's fields, plus what the catalog knows."""

    tmdb_id: int = 0
    title: str = ""
    original_title: str = ""
    overview: str = ""
    tagline: str = ""
    release_date: str = ""
    runtime: int | None = None
    status: str = ""
    original_language: str = ""
    budget: int = 0
    revenue: int = 0
    imdb_id: str | None = None
    homepage: str = ""
    poster_path: str | None = None
    backdrop_path: str | None = None
    popularity: float = 0.0
    vote_average: float = 0.0
    vote_count: int = 0
    adult: bool = False
    genre_ids: list[int] = field(default_factory=list)
    content_hash: str = ""
    delisted: bool = False
    recommendations: list[int] = field(default_factory=list)
    similar: list[int] = field(default_factory=list)
    detail_complete: bool = False

    aggregate_type = "movie"

    @property
    def tmdb_fields(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in MOVIE_FIELDS}

    @classmethod
    def import_new(cls, fields: dict[str, Any], complete: bool) -> "Movie":
        full = {**DEFAULTS, **fields}
        movie = cls(id=str(full["tmdb_id"]), **full, content_hash=content_hash(full),
                    detail_complete=complete)
        movie.record(events.MovieImported(**full, detail_complete=complete))
        return movie

    def sync(self, fields: dict[str, Any], complete: bool) -> None:
        """Takes what TMDb says now; records only what changed, if anything."""
        changes = {name: value for name, value in fields.items()
                   if name != "tmdb_id" and getattr(self, name) != value}
        if complete and not self.detail_complete:
            changes["detail_complete"] = True
        if self.delisted:
            changes["delisted"] = False
        if changes:
            self._apply(changes)
            self.record(events.MovieUpdated(changes=changes))

    def delist(self, reason: str) -> None:
        if not self.delisted:
            self.delisted = True
            self.record(events.MovieDelisted(reason=reason))

    def refresh_relations(self, kind: str, tmdb_ids: list[int]) -> None:
        if kind not in RELATION_KINDS:
            raise InvalidInput(f"kind must be one of {RELATION_KINDS}.", field="kind")
        ids = _distinct(tmdb_ids, exclude=self.tmdb_id)
        if ids != getattr(self, kind):
            setattr(self, kind, ids)
            self.record(events.MovieRelationsRefreshed(kind=kind, tmdb_ids=ids))

    def _apply(self, changes: dict[str, Any]) -> None:
        for name, value in changes.items():
            setattr(self, name, value)
        self.content_hash = content_hash(self.tmdb_fields)


@dataclass(eq=False)
class GenreCatalog(Aggregate):
    """TMDb's movie genres (one aggregate, id "movie"): {id: name}."""

    genres: dict[int, str] = field(default_factory=dict)

    aggregate_type = "genre_catalog"

    def sync(self, genres: list[dict[str, Any]]) -> None:
        incoming = {int(genre["id"]): str(genre["name"]) for genre in genres}
        if incoming != self.genres:
            self.genres = incoming
            self.record(events.GenresSynced(
                genres=[{"id": gid, "name": name} for gid, name in incoming.items()]))


@dataclass(eq=False)
class CuratedList(Aggregate):
    """One of TMDb's lists (popular, top_rated...), in TMDb's order."""

    tmdb_ids: list[int] = field(default_factory=list)
    refreshed_at: datetime | None = None

    aggregate_type = "curated_list"

    @classmethod
    def named(cls, name: str) -> "CuratedList":
        if name not in LIST_NAMES:
            raise InvalidInput(f"name must be one of {LIST_NAMES}.", field="name")
        return cls(id=name)

    def refresh(self, tmdb_ids: list[int], now: datetime) -> None:
        ids = _distinct(tmdb_ids)
        if ids != self.tmdb_ids:
            self.tmdb_ids, self.refreshed_at = ids, now
            self.record(events.ListRefreshed(tmdb_ids=ids, refreshed_at=now.isoformat()))


def _distinct(ids: list[int], exclude: int | None = None) -> list[int]:
    """Ints, first occurrence kept, order kept."""
    return [i for i in dict.fromkeys(int(i) for i in ids) if i != exclude]
