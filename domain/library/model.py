"""The Library aggregate: one per person (id = the user's id).

Its version covers the whole library, so a person's writes are totally ordered: a read
that waits for their last write sees all the earlier ones too. A command names one
movie, and loading a library loads that movie's entries only (`LibraryRepository`);
no rule here looks at any other entry.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from domain.aggregate import Aggregate
from domain.errors import InvalidInput, NotFound
from domain.library import events

MAX_NOTES = 1000
MIN_RATING, MAX_RATING = 1, 10
FAVORITE_FIELDS = ("rating", "notes")
FAVORITE, WATCHLIST = "favorite", "watchlist"


@dataclass(frozen=True)
class MovieFacts:
    """What a library records about a movie when it is added."""

    tmdb_id: int
    genre_ids: list[int]
    year: int | None


@dataclass
class Favorite:
    tmdb_id: int
    rating: int | None
    notes: str | None
    added_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class ImportedFavorite:
    """A favorite as another service kept it: `changed_at` is when its rating or notes
    were last set there (None when the file does not say)."""

    rating: int | None = None
    notes: str | None = None
    added_at: datetime | None = None
    changed_at: datetime | None = None


@dataclass(frozen=True)
class ImportedWatchlistItem:
    watched: bool = False
    added_at: datetime | None = None
    watched_at: datetime | None = None


@dataclass
class WatchlistItem:
    tmdb_id: int
    added_at: datetime
    watched: bool = False
    watched_at: datetime | None = None


def check_favorite_changes(changes: dict[str, Any]) -> dict[str, Any]:
    """Rating 1-10 or None, notes of at most 1,000 characters or None; blank notes are
    None. Returns the normalised changes."""
    unknown = set(changes) - set(FAVORITE_FIELDS)
    if unknown:
        raise InvalidInput(f"Unknown favorite field {sorted(unknown)[0]!r}.",
                           field=sorted(unknown)[0])
    checked = dict(changes)
    rating = checked.get("rating")
    if rating is not None and (isinstance(rating, bool) or not isinstance(rating, int)
                               or not MIN_RATING <= rating <= MAX_RATING):
        raise InvalidInput("A rating is a whole number from 1 to 10.", field="rating")
    if "notes" in checked:
        notes = checked["notes"]
        if notes is not None and not isinstance(notes, str):
            raise InvalidInput("Notes are text.", field="notes")
        if notes is not None and len(notes) > MAX_NOTES:
            raise InvalidInput(f"Notes are at most {MAX_NOTES} characters.", field="notes")
        checked["notes"] = notes if notes and notes.strip() else None
    return checked


@dataclass(eq=False)
class Library(Aggregate):
    favorites: dict[int, Favorite] = field(default_factory=dict)
    watchlist: dict[int, WatchlistItem] = field(default_factory=dict)
    dirty: set[tuple[str, int]] = field(default_factory=set, repr=False)

    aggregate_type = "library"

    def save_favorite(self, movie: MovieFacts, changes: dict[str, Any],
                      now: datetime) -> bool:
        """Adds or updates; True when the movie was not a favorite before."""
        changes = check_favorite_changes(changes)
        current = self.favorites.get(movie.tmdb_id)
        if current is None:
            self._add_favorite(movie, changes, now)
            return True
        self._update_favorite(current, changes, now)
        return False

    def import_favorite(self, movie: MovieFacts, entry: ImportedFavorite,
                        now: datetime, overwrite: bool) -> bool:
        """Merges a favorite from another service; True when it changed anything. A
        value set here after the file's date (or whenever, if the file has no date)
        is kept unless `overwrite`; a blank here is always filled."""
        changes = check_favorite_changes(
            {name: value for name, value in (("rating", entry.rating), ("notes", entry.notes))
             if value is not None})
        current = self.favorites.get(movie.tmdb_id)
        if current is None:
            self._add_favorite(movie, changes, entry.added_at or now)
            return True
        newer_here = entry.changed_at is None or current.updated_at > entry.changed_at
        if newer_here and not overwrite:
            changes = {name: value for name, value in changes.items()
                       if getattr(current, name) is None}
        return self._update_favorite(current, changes,
                                     max(current.updated_at, entry.changed_at or now))

    def remove_favorite(self, tmdb_id: int, now: datetime) -> None:
        if self.favorites.pop(tmdb_id, None) is None:
            raise NotFound(f"Movie {tmdb_id} is not one of your favorites.")
        self._changed(FAVORITE, tmdb_id, events.FavoriteRemoved(
            tmdb_id=tmdb_id, removed_at=now.isoformat()))

    def save_watchlist_item(self, movie: MovieFacts, watched: bool | None,
                            now: datetime) -> bool:
        """Adds (unwatched unless told) or marks watched / not; True when new."""
        current = self.watchlist.get(movie.tmdb_id)
        if current is None:
            self._add_to_watchlist(movie, bool(watched), now)
            return True
        if watched is None or watched == current.watched:
            return False
        current.watched, current.watched_at = watched, now if watched else None
        event = (events.WatchlistItemWatched(tmdb_id=movie.tmdb_id, watched_at=now.isoformat())
                 if watched else
                 events.WatchlistItemUnwatched(tmdb_id=movie.tmdb_id,
                                               unwatched_at=now.isoformat()))
        self._changed(WATCHLIST, movie.tmdb_id, event)
        return False

    def import_watchlist_item(self, movie: MovieFacts, entry: ImportedWatchlistItem,
                              now: datetime) -> bool:
        """Merges a watchlist entry from another service: adds it, or marks it
        watched; never takes anything off. True when it changed anything."""
        current = self.watchlist.get(movie.tmdb_id)
        watched_at = entry.watched_at or entry.added_at or now
        if current is None:
            self._add_to_watchlist(movie, entry.watched, entry.added_at or now,
                                   watched_at if entry.watched else None)
            return True
        if not entry.watched or current.watched:
            return False
        current.watched, current.watched_at = True, watched_at
        self._changed(WATCHLIST, movie.tmdb_id, events.WatchlistItemWatched(
            tmdb_id=movie.tmdb_id, watched_at=watched_at.isoformat()))
        return True

    def remove_watchlist_item(self, tmdb_id: int, now: datetime) -> None:
        if self.watchlist.pop(tmdb_id, None) is None:
            raise NotFound(f"Movie {tmdb_id} is not on your watchlist.")
        self._changed(WATCHLIST, tmdb_id, events.WatchlistItemRemoved(
            tmdb_id=tmdb_id, removed_at=now.isoformat()))

    def _add_favorite(self, movie: MovieFacts, changes: dict[str, Any], now: datetime) -> None:
        favorite = Favorite(movie.tmdb_id, changes.get("rating"), changes.get("notes"),
                            added_at=now, updated_at=now)
        self.favorites[movie.tmdb_id] = favorite
        self._changed(FAVORITE, movie.tmdb_id, events.FavoriteAdded(
            tmdb_id=movie.tmdb_id, rating=favorite.rating, notes=favorite.notes,
            added_at=now.isoformat(), genre_ids=list(movie.genre_ids), year=movie.year))

    def _update_favorite(self, current: Favorite, changes: dict[str, Any],
                         now: datetime) -> bool:
        changed = {name: value for name, value in changes.items()
                   if getattr(current, name) != value}
        if not changed:
            return False
        previous = {name: getattr(current, name) for name in changed}
        for name, value in changed.items():
            setattr(current, name, value)
        current.updated_at = now
        self._changed(FAVORITE, current.tmdb_id, events.FavoriteUpdated(
            tmdb_id=current.tmdb_id, changes=changed, previous=previous,
            updated_at=now.isoformat()))
        return True

    def _add_to_watchlist(self, movie: MovieFacts, watched: bool, now: datetime,
                          watched_at: datetime | None = None) -> None:
        item = WatchlistItem(movie.tmdb_id, added_at=now, watched=watched,
                             watched_at=(watched_at or now) if watched else None)
        self.watchlist[movie.tmdb_id] = item
        self._changed(WATCHLIST, movie.tmdb_id, events.WatchlistItemAdded(
            tmdb_id=movie.tmdb_id, added_at=now.isoformat(), watched=watched,
            watched_at=item.watched_at.isoformat() if item.watched_at else None,
            genre_ids=list(movie.genre_ids), year=movie.year))

    def _changed(self, kind: str, tmdb_id: int, event: events.LibraryEvent) -> None:
        self.dirty.add((kind, tmdb_id))
        self.record(event)
