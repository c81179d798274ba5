"""What happens to a library. An add carries the movie's genres and year as they were
then, so the stats and recommendations never wait for the catalog's read models."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.events import DomainEvent


@dataclass(frozen=True)
class LibraryEvent(DomainEvent):
    aggregate_type = "library"


@dataclass(frozen=True)
class FavoriteAdded(LibraryEvent):
    tmdb_id: int
    rating: int | None
    notes: str | None
    added_at: str
    genre_ids: list[int]
    year: int | None


@dataclass(frozen=True)
class FavoriteUpdated(LibraryEvent):
    """`changes` holds the new values of what changed, `previous` the old ones."""

    tmdb_id: int
    changes: dict[str, Any]
    previous: dict[str, Any]
    updated_at: str


@dataclass(frozen=True)
class FavoriteRemoved(LibraryEvent):
    tmdb_id: int
    removed_at: str


@dataclass(frozen=True)
class WatchlistItemAdded(LibraryEvent):
    tmdb_id: int
    added_at: str
    watched: bool
    watched_at: str | None
    genre_ids: list[int]
    year: int | None


@dataclass(frozen=True)
class WatchlistItemWatched(LibraryEvent):
    tmdb_id: int
    watched_at: str


@dataclass(frozen=True)
class WatchlistItemUnwatched(LibraryEvent):
    tmdb_id: int
    unwatched_at: str


@dataclass(frozen=True)
class WatchlistItemRemoved(LibraryEvent):
    tmdb_id: int
    removed_at: str
