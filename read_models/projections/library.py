"""The projection of library events: read_favorites, read_watchlist and the stats
counters (with the movie counter deltas), defined once as a fold (library_state says
what an event means, library_fold loads and saves); after the commit, each library's
change goes to Redis (library_redis), the movie counters are folded, and the person's
recommendations are asked for, once per library per batch.

A library has one version sequence, so one projection follows it: its checkpoint is
per library, i.e. per person.
"""
from __future__ import annotations

import logging
from typing import Callable

from sqlalchemy import Connection, Engine

from adapters.messaging.envelope import Envelope
from domain.library import events as library_events
from read_models.projections.framework import AppliedBatch, FoldProjection
from read_models.projections.library_fold import LibraryFold
from read_models.projections.library_state import LibraryState
from read_models.projections.movie_counters import MovieCounters
from read_models.stores import library_documents as docs
from read_models.stores.debounce import DebouncedAsk
from read_models.stores.library_redis import GAP, LibraryDocuments, RangeChange
from read_models.stores.library_snapshot import (
    favorite_entry,
    read_snapshot,
    stats_document_on,
    watchlist_entry,
)

log = logging.getLogger(__name__)

_FAVORITE_EVENTS = frozenset(e.event_type() for e in (
    library_events.FavoriteAdded, library_events.FavoriteUpdated,
    library_events.FavoriteRemoved))
Ask = tuple[Callable, str]          # (ask, subject)


class LibraryTable(FoldProjection):
    name = "library_table"
    follows = frozenset({"library"})
    # No `tables`: the rebuild's log pass then keeps every projection in one process.
    # Split from the others (it writes read_favorites, read_watchlist,
    # read_library_stats and read_movie_counter_deltas), it measured slower here.

    def __init__(self, engine: Engine, documents: LibraryDocuments, counters: MovieCounters,
                 on_change: Callable[[str], None] = lambda _user_id: None):
        self.engine = engine
        self.documents, self.counters, self.on_change = documents, counters, on_change

    def fold(self, conn: Connection, shared: dict) -> LibraryFold:
        return LibraryFold(conn)

    def finish_rebuild(self) -> None:
        """A rebuild's replay leaves the movie counter deltas unfolded (no after-commit
        step runs in it): fold them into the fresh read_movies before the swap."""
        self.counters.fold_all()

    # --- after the commit ------------------------------------------------------------

    def after_commit(self, batch: AppliedBatch) -> None:
        """Each library's change to Redis and its debounced asks' flags, in one round
        trip; a library Redis lacks the start of is copied whole from the tables, as
        is one only delivered again (its first copy may have been lost)."""
        since: dict[str, int] = {}
        for event in batch.applied:
            since.setdefault(event.aggregate_id, event.aggregate_version - 1)
        changed = [(self._range_change(batch.states[user_id], version), asks)
                   for user_id, version in since.items()
                   for asks in [self._asks(user_id, batch.applied)]]
        answers = self.documents.apply([(change, [a.flag(s) for a, s in asks
                                                  if isinstance(a, DebouncedAsk)])
                                        for change, asks in changed])
        for (change, asks), (status, set_now) in zip(changed, answers):
            if status == GAP:
                self.copy_to_redis(change.user_id)
            flagged = iter(set_now)
            for ask, subject in asks:
                if isinstance(ask, DebouncedAsk):
                    ask.flagged(next(flagged), subject)
                else:
                    ask(subject) if subject else ask()
        for user_id in {e.aggregate_id for e in batch.duplicates} - since.keys():
            self.copy_to_redis(user_id)
            for ask, subject in self._asks(user_id, batch.duplicates):
                ask(subject) if subject else ask()

    def _range_change(self, state: LibraryState, since: int) -> RangeChange:
        change = RangeChange(state.user_id, since, state.version,
                             stats_document_on(self.engine, state.counters))
        for tmdb_id, favorite in state.favorites.items():
            if favorite is None:
                change.unfavorites.append(tmdb_id)
            else:
                change.favorites.append((tmdb_id, favorite_entry(favorite),
                                         docs.millis(favorite.added_at)))
        for tmdb_id, item in state.watchlist.items():
            if item is None:
                change.unwatchlist.append(tmdb_id)
            else:
                change.watchlist.append((tmdb_id, watchlist_entry(item),
                                         docs.millis(item.added_at)))
        return change

    def _asks(self, user_id: str, events: list[Envelope]) -> list[Ask]:
        """A movie counter fold when a favorite moved, and the person's recommendations."""
        asks: list[Ask] = []
        if any(e.aggregate_id == user_id and e.event_type in _FAVORITE_EVENTS
               for e in events):
            asks.append((self.counters.request or self.counters.fold_now, ""))
        asks.append((self.on_change, user_id))
        return asks

    def copy_to_redis(self, user_id: str) -> None:
        """The whole library from the read tables, if newer than what Redis holds."""
        snapshot = read_snapshot(self.engine, user_id)
        if snapshot is not None:
            self.documents.replace(snapshot)
