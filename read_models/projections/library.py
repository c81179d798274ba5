"""The projection of library events: read_favorites, read_watchlist and the stats
counters (with the movie counter deltas) in the projection's transaction; after the
commit, the changed entry and the stats document go to Redis (library_redis), the
movie counters are folded, and the person's recommendations are asked for.

A library has one version sequence, so one projection follows it: its checkpoint is
per library, i.e. per person.
"""
from __future__ import annotations

import logging
from typing import Any, Callable

from sqlalchemy import Connection, Engine, text

from adapters.messaging.envelope import Envelope
from read_models.projections.framework import Outcome, PostgresProjection, handles
from read_models.projections.movie_counters import MovieCounters
from read_models.stores import library_documents as docs
from read_models.stores import library_stats as stats
from read_models.stores.debounce import DebouncedAsk
from read_models.stores.library_redis import (
    GAP,
    EntryChange,
    LibraryDocuments,
)
from read_models.stores.library_snapshot import (
    favorite_entry,
    read_snapshot,
    stats_document,
    watchlist_entry,
)

log = logging.getLogger(__name__)

# Each handler is one statement: the read row's change, the movie counter delta (for
# favorites) and, in RETURNING, the row as it was before (`old`, the empty row when
# there was none) and the person's counters (the checkpoint lock on this library
# serialises its events, so nothing else writes them meanwhile). Every statement moves
# a row *to a state*: an add that meets its own row (an event applied twice) writes the
# same row again, a change or removal of a row that is not there changes nothing, and
# the counters and deltas move by the difference between the old row and the new one,
# so the same event applied twice leaves the same tables. Only a delta that moves
# something is written.
_COUNTERS = "(SELECT counters FROM read_library_stats WHERE user_id = :user_id) AS counters"
_OLD_FAVORITE = """old AS (SELECT rating, genre_ids, year FROM read_favorites
                 WHERE user_id = :user_id AND tmdb_id = :tmdb_id)"""
# Moves a movie's counters from the old favorite (if any) to the new one (if any).
_DELTA = """delta AS (
    INSERT INTO read_movie_counter_deltas (tmdb_id, favorites, rating_sum, ratings)
    SELECT :tmdb_id, d.favorites, d.rating_sum, d.ratings FROM (SELECT
        (SELECT count(*) FROM new) - (SELECT count(*) FROM old) AS favorites,
        coalesce((SELECT sum(rating) FROM new), 0)
            - coalesce((SELECT sum(rating) FROM old), 0) AS rating_sum,
        (SELECT count(rating) FROM new) - (SELECT count(rating) FROM old) AS ratings) d
    WHERE (d.favorites, d.rating_sum, d.ratings) <> (0, 0, 0))"""
_WAS_FAVORITE = """(SELECT count(*) FROM old) AS had, (SELECT rating FROM old) AS old_rating,
    (SELECT genre_ids FROM old) AS old_genre_ids, (SELECT year FROM old) AS old_year"""
_ADD_FAVORITE = text(f"""
    WITH {_OLD_FAVORITE},
    new AS (
        INSERT INTO read_favorites (user_id, tmdb_id, rating, notes, added_at, updated_at,
                                    genre_ids, year)
        VALUES (:user_id, :tmdb_id, :rating, :notes, :added_at, :added_at, :genre_ids, :year)
        ON CONFLICT (user_id, tmdb_id) DO UPDATE SET rating = EXCLUDED.rating,
            notes = EXCLUDED.notes, added_at = EXCLUDED.added_at,
            updated_at = EXCLUDED.updated_at, genre_ids = EXCLUDED.genre_ids,
            year = EXCLUDED.year
        RETURNING rating, notes, added_at, updated_at),
    {_DELTA}
    SELECT new.*, {_WAS_FAVORITE}, {_COUNTERS} FROM new
""")
_UPDATE_FAVORITE = text(f"""
    WITH {_OLD_FAVORITE},
    new AS (
        UPDATE read_favorites SET rating = CASE WHEN :set_rating THEN :rating ELSE rating END,
            notes = CASE WHEN :set_notes THEN :notes ELSE notes END, updated_at = :updated_at
        WHERE user_id = :user_id AND tmdb_id = :tmdb_id
        RETURNING rating, notes, added_at, updated_at),
    {_DELTA}
    SELECT new.*, {_WAS_FAVORITE}, {_COUNTERS} FROM (SELECT 1) one LEFT JOIN new ON true
""")
_REMOVE_FAVORITE = text(f"""
    WITH {_OLD_FAVORITE},
    new AS (SELECT rating FROM old WHERE false),
    gone AS (DELETE FROM read_favorites WHERE user_id = :user_id AND tmdb_id = :tmdb_id),
    {_DELTA}
    SELECT {_WAS_FAVORITE}, {_COUNTERS}
""")
_OLD_WATCHLIST_ITEM = """old AS (SELECT watched FROM read_watchlist
                 WHERE user_id = :user_id AND tmdb_id = :tmdb_id)"""
_WAS_ON_WATCHLIST = "(SELECT count(*) FROM old) AS had, (SELECT watched FROM old) AS was_watched"
_ADD_TO_WATCHLIST = text(f"""
    WITH {_OLD_WATCHLIST_ITEM},
    new AS (
        INSERT INTO read_watchlist (user_id, tmdb_id, added_at, watched, watched_at,
                                    genre_ids, year)
        VALUES (:user_id, :tmdb_id, :added_at, :watched, :watched_at, :genre_ids, :year)
        ON CONFLICT (user_id, tmdb_id) DO UPDATE SET added_at = EXCLUDED.added_at,
            watched = EXCLUDED.watched, watched_at = EXCLUDED.watched_at,
            genre_ids = EXCLUDED.genre_ids, year = EXCLUDED.year
        RETURNING added_at, watched, watched_at)
    SELECT new.*, {_WAS_ON_WATCHLIST}, {_COUNTERS} FROM new
""")
_MARK_WATCHED = text(f"""
    WITH {_OLD_WATCHLIST_ITEM},
    new AS (
        UPDATE read_watchlist SET watched = :watched, watched_at = :watched_at
        WHERE user_id = :user_id AND tmdb_id = :tmdb_id
        RETURNING added_at, watched, watched_at)
    SELECT new.*, {_WAS_ON_WATCHLIST}, {_COUNTERS} FROM (SELECT 1) one LEFT JOIN new ON true
""")
_REMOVE_FROM_WATCHLIST = text(f"""
    WITH {_OLD_WATCHLIST_ITEM},
    gone AS (DELETE FROM read_watchlist WHERE user_id = :user_id AND tmdb_id = :tmdb_id)
    SELECT {_WAS_ON_WATCHLIST}, {_COUNTERS}
""")
_ONLY_COUNTERS = text(f"SELECT {_COUNTERS}")
_SAVE_COUNTERS = text("""
    INSERT INTO read_library_stats AS s (user_id, counters, version)
    VALUES (:user_id, CAST(:counters AS jsonb), :version)
    ON CONFLICT (user_id) DO UPDATE SET counters = EXCLUDED.counters,
                                        version = EXCLUDED.version
""")
def _refavorite(counters: dict, old, new: tuple | None) -> None:
    """Moves the counters from the favorite as it was (`old.had`, `old.old_*`) to `new`
    (rating, genre ids, year; None: no favorite)."""
    if old.had:
        stats.favorite(counters, old.old_rating, old.old_genre_ids, old.old_year, -1)
    if new is not None:
        stats.favorite(counters, *new, +1)


def _rewatchlist(counters: dict, old, watched: bool | None) -> None:
    """Moves the counters from the watchlist item as it was to one `watched` (None: no
    item)."""
    if old.had:
        stats.watchlist_item(counters, old.was_watched, -1)
    if watched is not None:
        stats.watchlist_item(counters, watched, +1)


class LibraryTable(PostgresProjection):
    name = "library_table"
    follows = frozenset({"library"})

    def __init__(self, engine: Engine, documents: LibraryDocuments, counters: MovieCounters,
                 on_change: Callable[[str], None] = lambda _user_id: None):
        super().__init__(engine)
        self.documents, self.counters, self.on_change = documents, counters, on_change

    def finish_rebuild(self) -> None:
        """A rebuild's replay leaves the movie counter deltas unfolded (no after-commit
        step runs in it): fold them into the fresh read_movies before the swap."""
        self.counters.fold_all()

    # --- favorites ------------------------------------------------------------------

    @handles("FavoriteAdded")
    def favorite_added(self, conn: Connection, event: Envelope) -> EntryChange:
        p = event.payload
        row = conn.execute(_ADD_FAVORITE, {**self._key(event), "rating": p["rating"],
                                           "notes": p["notes"], "added_at": p["added_at"],
                                           "genre_ids": p["genre_ids"], "year": p["year"]}).one()
        document = self._count(conn, event, row.counters, lambda c: _refavorite(
            c, row, (p["rating"], p["genre_ids"], p["year"])))
        return self._change(event, document, "fav", favorite_entry(row), row.added_at)

    @handles("FavoriteUpdated")
    def favorite_updated(self, conn: Connection, event: Envelope) -> EntryChange:
        p = event.payload
        changes = p["changes"]
        row = conn.execute(_UPDATE_FAVORITE, {
            **self._key(event), "set_rating": "rating" in changes,
            "rating": changes.get("rating"), "set_notes": "notes" in changes,
            "notes": changes.get("notes"), "updated_at": p["updated_at"]}).one()
        if not row.had:             # nothing to change: the row is not there
            return self.unhandled(conn, event)
        document = self._count(conn, event, row.counters, lambda c: _refavorite(
            c, row, (row.rating, row.old_genre_ids, row.old_year)))
        return self._change(event, document, "fav", favorite_entry(row), row.added_at)

    @handles("FavoriteRemoved")
    def favorite_removed(self, conn: Connection, event: Envelope) -> EntryChange:
        row = conn.execute(_REMOVE_FAVORITE, self._key(event)).one()
        document = self._count(conn, event, row.counters, lambda c: _refavorite(c, row, None))
        return self._change(event, document, "unfav")

    # --- watchlist ------------------------------------------------------------------

    @handles("WatchlistItemAdded")
    def watchlist_item_added(self, conn: Connection, event: Envelope) -> EntryChange:
        p = event.payload
        row = conn.execute(_ADD_TO_WATCHLIST, {
            **self._key(event), "added_at": p["added_at"], "watched": p["watched"],
            "watched_at": p["watched_at"], "genre_ids": p["genre_ids"], "year": p["year"]}).one()
        document = self._count(conn, event, row.counters,
                               lambda c: _rewatchlist(c, row, row.watched))
        return self._change(event, document, "wl", watchlist_entry(row), row.added_at)

    @handles("WatchlistItemWatched", "WatchlistItemUnwatched")
    def watchlist_item_watched(self, conn: Connection, event: Envelope) -> EntryChange:
        watched = event.event_type == "WatchlistItemWatched"
        row = conn.execute(_MARK_WATCHED, {
            **self._key(event), "watched": watched,
            "watched_at": event.payload["watched_at"] if watched else None}).one()
        if not row.had:             # nothing to change: the item is not there
            return self.unhandled(conn, event)
        document = self._count(conn, event, row.counters,
                               lambda c: _rewatchlist(c, row, row.watched))
        return self._change(event, document, "wl", watchlist_entry(row), row.added_at)

    @handles("WatchlistItemRemoved")
    def watchlist_item_removed(self, conn: Connection, event: Envelope) -> EntryChange:
        row = conn.execute(_REMOVE_FROM_WATCHLIST, self._key(event)).one()
        document = self._count(conn, event, row.counters,
                               lambda c: _rewatchlist(c, row, None))
        return self._change(event, document, "unwl")

    def unhandled(self, conn: Connection, event: Envelope) -> EntryChange:
        stored = conn.execute(_ONLY_COUNTERS, {"user_id": event.aggregate_id}).scalar()
        return self._change(event, self._count(conn, event, stored, lambda c: None))

    # --- shared -----------------------------------------------------------------------

    @staticmethod
    def _key(event: Envelope) -> dict[str, Any]:
        return {"user_id": event.aggregate_id, "tmdb_id": event.payload["tmdb_id"]}

    @staticmethod
    def _count(conn: Connection, event: Envelope, stored: dict | None,
               change: Callable[[dict], None]) -> str:
        """Moves the person's counters; returns the new stats document."""
        counters = stored or stats.empty()
        change(counters)
        conn.execute(_SAVE_COUNTERS, {"user_id": event.aggregate_id,
                                      "counters": docs.dump(counters),
                                      "version": event.aggregate_version})
        return stats_document(conn, counters)

    @staticmethod
    def _change(event: Envelope, document: str, op: str = "none", entry: str = "",
                added_at=None) -> EntryChange:
        return EntryChange(event.aggregate_id, event.aggregate_version, document, op,
                           int(event.payload.get("tmdb_id", 0)), entry,
                           docs.millis(added_at) if added_at is not None else 0)

    def after_commit(self, envelope: Envelope, outcome: Outcome, result: Any) -> None:
        """The change to Redis, and the asks for a fold and for recommendations, in one
        round trip when they are debounced asks (their flags are set by the script)."""
        if outcome is Outcome.EARLY:
            return
        user_id = envelope.aggregate_id
        asks = [(ask, subject) for ask, subject in self._asks(envelope)
                if isinstance(ask, DebouncedAsk)]
        if result is None:
            self.copy_to_redis(user_id)
            for ask, subject in asks:
                ask(subject)
        else:
            status, set_now = self.documents.apply(result, [a.flag(s) for a, s in asks])
            if status == GAP:
                self.copy_to_redis(user_id)
            for (ask, subject), newly_set in zip(asks, set_now):
                ask.flagged(newly_set, subject)
        for ask, subject in self._asks(envelope):
            if not isinstance(ask, DebouncedAsk):
                ask(subject) if subject else ask()

    def _asks(self, envelope: Envelope) -> list[tuple[Callable, str]]:
        asks: list[tuple[Callable, str]] = []
        if envelope.event_type.startswith("Favorite"):
            asks.append((self.counters.request or self.counters.fold_now, ""))
        asks.append((self.on_change, envelope.aggregate_id))
        return asks

    def copy_to_redis(self, user_id: str) -> None:
        """The whole library from the read tables, if newer than what Redis holds."""
        snapshot = read_snapshot(self.engine, user_id)
        if snapshot is not None:
            self.documents.replace(snapshot)
