"""What a library event means (pure; no I/O): a library's state after each event.

A library's state is its counters (read_library_stats.counters) and version, and the
entries the events touch: favorites and watchlist items by tmdb id, None where the movie
has no entry. Every event moves an entry *to a state*: an add that meets its own entry
writes the same entry again, a change or removal of an entry that is not there changes
nothing, and the counters move by the difference between the entry as it was and as it
is, so the same event applied twice leaves the same state. Each event that moves a
favorite's movie counters records its delta (one row in read_movie_counter_deltas per
such event, as the movie counter fold counts them: read_models.projections.movie_counters).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable

from adapters.messaging.envelope import Envelope
from domain.library import events
from read_models.stores import library_stats as stats

Delta = tuple[int, int, int, int]     # tmdb id, favorites, rating sum, ratings


@dataclass(frozen=True, slots=True)
class Favorite:
    rating: int | None
    notes: str | None
    added_at: Any                     # ISO 8601 from an event, a datetime from the table
    updated_at: Any
    genre_ids: list[int]
    year: int | None


@dataclass(frozen=True, slots=True)
class WatchlistItem:
    added_at: Any
    watched: bool
    watched_at: Any
    genre_ids: list[int]
    year: int | None


@dataclass
class Written:
    """What the read tables hold of one library, shared by the states evolved from one
    loaded state: its entries (of those the states know) and how many of the states'
    deltas are recorded. Only `save` moves it, after it wrote them, so saving the same
    state again writes no delta twice and no unchanged row."""

    favorites: dict[int, Favorite | None] = field(default_factory=dict)
    watchlist: dict[int, WatchlistItem | None] = field(default_factory=dict)
    deltas: int = 0


@dataclass(slots=True)
class LibraryState:
    """Never changed once made (evolve makes a new one; only prepare adds entries it
    loads); not frozen only because a frozen dataclass is slower to make, once per
    event in a rebuild."""

    user_id: str
    version: int
    counters: dict[str, Any]
    favorites: dict[int, Favorite | None]
    watchlist: dict[int, WatchlistItem | None]
    written: Written
    complete: bool = False            # every entry is known: one left out has none
    deltas: tuple[Delta, ...] = ()    # since the state was loaded

    def entry(self, kind: str, tmdb_id: int) -> Favorite | WatchlistItem | None:
        entries = getattr(self, kind)
        if tmdb_id in entries:
            return entries[tmdb_id]
        if self.complete:
            return None
        raise LookupError(f"library {self.user_id}: the {kind} entry of {tmdb_id} "
                          "was not loaded (prepare it first)")


def new_library(user_id: str) -> LibraryState:
    """A library no event has reached: no entries, so every entry is known."""
    return LibraryState(user_id, 0, stats.empty(), {}, {}, Written(), complete=True)


# --- each event type: the entry it touches and what becomes of it ----------------------

def _favorite_added(_old: Favorite | None, p: dict) -> Favorite:
    return Favorite(p["rating"], p["notes"], p["added_at"], p["added_at"], p["genre_ids"],
                    p["year"])


def _favorite_updated(old: Favorite | None, p: dict) -> Favorite | None:
    if old is None:
        return None
    changes = p["changes"]
    return replace(old, rating=changes.get("rating", old.rating),
                   notes=changes.get("notes", old.notes), updated_at=p["updated_at"])


def _removed(_old: Any, _p: dict) -> None:
    return None


def _watchlist_item_added(_old: WatchlistItem | None, p: dict) -> WatchlistItem:
    return WatchlistItem(p["added_at"], p["watched"], p["watched_at"], p["genre_ids"],
                         p["year"])


def _watched(old: WatchlistItem | None, p: dict) -> WatchlistItem | None:
    return None if old is None else replace(old, watched=True, watched_at=p["watched_at"])


def _unwatched(old: WatchlistItem | None, _p: dict) -> WatchlistItem | None:
    return None if old is None else replace(old, watched=False, watched_at=None)


FAVORITES, WATCHLIST = "favorites", "watchlist"
Change = Callable[[Any, dict], Any]
MEANINGS: dict[str, tuple[str, Change]] = {
    events.FavoriteAdded.event_type(): (FAVORITES, _favorite_added),
    events.FavoriteUpdated.event_type(): (FAVORITES, _favorite_updated),
    events.FavoriteRemoved.event_type(): (FAVORITES, _removed),
    events.WatchlistItemAdded.event_type(): (WATCHLIST, _watchlist_item_added),
    events.WatchlistItemWatched.event_type(): (WATCHLIST, _watched),
    events.WatchlistItemUnwatched.event_type(): (WATCHLIST, _unwatched),
    events.WatchlistItemRemoved.event_type(): (WATCHLIST, _removed),
}


def touches(event: Envelope) -> tuple[str, int] | None:
    """(favorites or watchlist, tmdb id) of the entry an event touches (None: none)."""
    meaning = MEANINGS.get(event.event_type)
    return (meaning[0], int(event.payload["tmdb_id"])) if meaning else None


# --- the fold ----------------------------------------------------------------------

def evolve(state: LibraryState | None, event: Envelope) -> LibraryState:
    state = state or new_library(event.aggregate_id)
    meaning = MEANINGS.get(event.event_type)
    if meaning is None:               # an event of the library that changes no entry
        return replace(state, version=event.aggregate_version)
    kind, change = meaning
    tmdb_id = int(event.payload["tmdb_id"])
    old = state.entry(kind, tmdb_id)
    new = change(old, event.payload)
    counters, deltas = state.counters, state.deltas
    if new != old:
        counters = stats.copy(counters)
        _count(kind, counters, old, -1)
        _count(kind, counters, new, +1)
        if kind == FAVORITES and (delta := movie_delta(tmdb_id, old, new)):
            deltas = (*deltas, delta)
    favorites, watchlist = state.favorites, state.watchlist
    if kind == FAVORITES:
        favorites = {**favorites, tmdb_id: new}
    else:
        watchlist = {**watchlist, tmdb_id: new}
    return LibraryState(state.user_id, event.aggregate_version, counters, favorites,
                        watchlist, state.written, state.complete, deltas)


def _count(kind: str, counters: dict[str, Any], entry: Any, delta: int) -> None:
    if entry is None:
        return
    if kind == FAVORITES:
        stats.favorite(counters, entry.rating, entry.genre_ids, entry.year, delta)
    else:
        stats.watchlist_item(counters, entry.watched, delta)


def movie_delta(tmdb_id: int, old: Favorite | None, new: Favorite | None) -> Delta | None:
    """How a movie's counters move from one favorite (None: none) to another; None
    when they do not."""
    moved = ((new is not None) - (old is not None), _rating(new) - _rating(old),
             _rated(new) - _rated(old))
    return (tmdb_id, *moved) if any(moved) else None


def _rating(favorite: Favorite | None) -> int:
    return (favorite.rating or 0) if favorite is not None else 0


def _rated(favorite: Favorite | None) -> int:
    return int(favorite is not None and favorite.rating is not None)
