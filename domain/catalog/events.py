"""What happens to the catalog. Syncing unchanged data emits none of these."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.events import DomainEvent


@dataclass(frozen=True)
class MovieEvent(DomainEvent):
    aggregate_type = "movie"


@dataclass(frozen=True)
class MovieImported(MovieEvent):
    """A movie seen for the first time: every field TMDb gave (see fields.MOVIE_FIELDS)."""

    tmdb_id: int
    title: str
    original_title: str
    overview: str
    tagline: str
    release_date: str
    runtime: int | None
    status: str
    original_language: str
    budget: int
    revenue: int
    imdb_id: str | None
    homepage: str
    poster_path: str | None
    backdrop_path: str | None
    popularity: float
    vote_average: float
    vote_count: int
    adult: bool
    genre_ids: list[int]
    detail_complete: bool


@dataclass(frozen=True)
class MovieUpdated(MovieEvent):
    """Only the fields that changed, with their new values (may include
    `detail_complete` and `delisted` when those flip)."""

    changes: dict[str, Any]


@dataclass(frozen=True)
class MovieDelisted(MovieEvent):
    reason: str


@dataclass(frozen=True)
class MovieRelationsRefreshed(MovieEvent):
    kind: str  # "recommendations" | "similar"
    tmdb_ids: list[int]


@dataclass(frozen=True)
class GenresSynced(DomainEvent):
    aggregate_type = "genre_catalog"

    genres: list[dict[str, Any]]  # [{id, name}], TMDb's order


@dataclass(frozen=True)
class ListRefreshed(DomainEvent):
    aggregate_type = "curated_list"

    tmdb_ids: list[int]
    refreshed_at: str
