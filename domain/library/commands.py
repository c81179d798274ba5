"""What people ask of their library, in the imperative."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SaveFavorite:
    """Adds the movie to the favorites, or updates it. `changes` holds `rating` and
    `notes` when given: a given None clears it, a name left out keeps its value."""

    user_id: str
    tmdb_id: int
    changes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RemoveFavorite:
    user_id: str
    tmdb_id: int


@dataclass(frozen=True)
class SaveWatchlistItem:
    """Adds the movie to the watchlist (unwatched unless `watched` says otherwise), or
    marks it watched or not; None keeps what it was."""

    user_id: str
    tmdb_id: int
    watched: bool | None = None


@dataclass(frozen=True)
class RemoveWatchlistItem:
    user_id: str
    tmdb_id: int


@dataclass(frozen=True)
class ImportEntry:
    """One movie of an import: a favorite (`favorite`) or a watchlist entry
    (`watchlist`), or both."""

    tmdb_id: int
    favorite: Any = None    # an ImportedFavorite
    watchlist: Any = None   # an ImportedWatchlistItem


@dataclass(frozen=True)
class ImportEntries:
    """Merges many entries into a library in one transaction (an import's batch):
    the library is locked once, each entry records its own events."""

    user_id: str
    entries: tuple[ImportEntry, ...]
    overwrite: bool = False
