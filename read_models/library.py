"""The projection of library events: read_favorites, read_watchlist and the stats
counters (with the movie counter deltas) in the projection's transaction; after the
commit, the changed entry and the stats document go to Redis (library_redis), the
movie counters are folded, and the person's recommendations are asked for.

A library has one version sequence, so one projection follows it: its checkpoint is
per library, i.e. per person.
"""
from __future__ import annotations

import logging
import time
from typing import Any, Callable

from sqlalchemy import Connection, Engine, select, text

from read_models import library_documents as docs
from read_models import library_stats as stats
from read_models.debounce import DebouncedAsk
from adapters.messaging.envelope import Envelope
from read_models.framework import Outcome, PostgresProjection, handles
from read_models.library_redis import GAP, EntryChange, LibraryDocuments, LibrarySnapshot
from read_models.library_tables import read_favorites, read_library_stats, read_watchlist
from read_models.movie_counters import MovieCounters

log = logging.getLogger(__name__)

# Each handler is one statement: the read row's change, the movie counter delta (for
# favorites) and, in RETURNING, the person's counters as they were (the checkpoint lock
# on this library serialises its events, so nothing else writes them meanwhile).
_COUNTERS = "(SELECT counters FROM read_library_stats WHERE user_id = :user_id) AS counters"
_DELTA = """, delta AS (INSERT INTO read_movie_counter_deltas (tmdb_id, favorites, rating_sum,
                                                         ratings)
    SELECT :tmdb_id, {favorites}, {sign} * coalesce(rating, 0), {sign} * (rating IS NOT NULL)::int
    FROM changed)"""
_ADD_FAVORITE = text(f"""
    WITH changed AS (
        INSERT INTO read_favorites (user_id, tmdb_id, rating, notes, added_at, updated_at,
                                    genre_ids, year)
        VALUES (:user_id, :tmdb_id, :rating, :notes, :added_at, :added_at, :genre_ids, :year)
        RETURNING rating, notes, added_at, updated_at){_DELTA.format(favorites=1, sign=1)}
    SELECT changed.*, {_COUNTERS} FROM changed
""")
_UPDATE_FAVORITE = text(f"""
    WITH changed AS (
        UPDATE read_favorites SET rating = CASE WHEN :set_rating THEN :rating ELSE rating END,
            notes = CASE WHEN :set_notes THEN :notes ELSE notes END, updated_at = :updated_at
        WHERE user_id = :user_id AND tmdb_id = :tmdb_id
        RETURNING rating, notes, added_at, updated_at),
    delta AS (INSERT INTO read_movie_counter_deltas (tmdb_id, favorites, rating_sum, ratings)
        SELECT :tmdb_id, 0, :rating_delta, :ratings_delta WHERE :set_rating)
    SELECT changed.*, {_COUNTERS} FROM changed
""")
_REMOVE_FAVORITE = text(f"""
    WITH changed AS (
        DELETE FROM read_favorites WHERE user_id = :user_id AND tmdb_id = :tmdb_id
        RETURNING rating, genre_ids, year){_DELTA.format(favorites=-1, sign=-1)}
    SELECT changed.*, {_COUNTERS} FROM changed
""")
_ADD_TO_WATCHLIST = text(f"""
    INSERT INTO read_watchlist (user_id, tmdb_id, added_at, watched, watched_at, genre_ids,
                                year)
    VALUES (:user_id, :tmdb_id, :added_at, :watched, :watched_at, :genre_ids, :year)
    RETURNING added_at, watched, watched_at, {_COUNTERS}
""")
_MARK_WATCHED = text(f"""
    UPDATE read_watchlist SET watched = :watched, watched_at = :watched_at
    WHERE user_id = :user_id AND tmdb_id = :tmdb_id
    RETURNING added_at, watched, watched_at, {_COUNTERS}
""")
_REMOVE_FROM_WATCHLIST = text(f"""
    DELETE FROM read_watchlist WHERE user_id = :user_id AND tmdb_id = :tmdb_id
    RETURNING watched, {_COUNTERS}
""")
_ONLY_COUNTERS = text(f"SELECT {_COUNTERS}")
_SAVE_COUNTERS = text("""
    INSERT INTO read_library_stats AS s (user_id, counters, version)
    VALUES (:user_id, CAST(:counters AS jsonb), :version)
    ON CONFLICT (user_id) DO UPDATE SET counters = EXCLUDED.counters,
                                        version = EXCLUDED.version
""")
_GENRE_NAMES = text("SELECT id, name FROM read_genres")
GENRE_NAMES_SECONDS = 60.0
_genre_names: dict[str, tuple[float, dict[int, str]]] = {}


def genre_names(conn: Connection) -> dict[int, str]:
    """read_genres' names, kept a minute per database (they change with a daily sync)."""
    key = str(conn.engine.url)
    cached = _genre_names.get(key)
    if cached is None or time.monotonic() - cached[0] > GENRE_NAMES_SECONDS:
        cached = (time.monotonic(), dict(conn.execute(_GENRE_NAMES).all()))
        _genre_names[key] = cached
    return cached[1]


def _favorite_entry(row) -> str:
    return docs.favorite_entry(row.rating, row.notes, row.added_at, row.updated_at)


def _watchlist_entry(row) -> str:
    return docs.watchlist_entry(row.added_at, row.watched, row.watched_at)


def stats_document(conn: Connection, counters: dict[str, Any]) -> str:
    return docs.dump(stats.document(counters, genre_names(conn)))


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
        document = self._count(conn, event, row.counters, lambda c: stats.favorite(
            c, p["rating"], p["genre_ids"], p["year"], +1))
        return self._change(event, document, "fav", _favorite_entry(row), row.added_at)

    @handles("FavoriteUpdated")
    def favorite_updated(self, conn: Connection, event: Envelope) -> EntryChange:
        p = event.payload
        changes, previous = p["changes"], p["previous"]
        old, new = previous.get("rating"), changes.get("rating")
        row = conn.execute(_UPDATE_FAVORITE, {
            **self._key(event), "set_rating": "rating" in changes, "rating": new,
            "set_notes": "notes" in changes, "notes": changes.get("notes"),
            "updated_at": p["updated_at"], "rating_delta": (new or 0) - (old or 0),
            "ratings_delta": int(new is not None) - int(old is not None)}).one()
        document = self._count(conn, event, row.counters,
                               lambda c: self._rerate(c, changes, previous))
        return self._change(event, document, "fav", _favorite_entry(row), row.added_at)

    @handles("FavoriteRemoved")
    def favorite_removed(self, conn: Connection, event: Envelope) -> EntryChange:
        row = conn.execute(_REMOVE_FAVORITE, self._key(event)).one()
        document = self._count(conn, event, row.counters, lambda c: stats.favorite(
            c, row.rating, row.genre_ids, row.year, -1))
        return self._change(event, document, "unfav")

    @staticmethod
    def _rerate(counters: dict, changes: dict, previous: dict) -> None:
        if "rating" in changes:
            stats.rate(counters, previous["rating"], -1)
            stats.rate(counters, changes["rating"], +1)

    # --- watchlist ------------------------------------------------------------------

    @handles("WatchlistItemAdded")
    def watchlist_item_added(self, conn: Connection, event: Envelope) -> EntryChange:
        p = event.payload
        row = conn.execute(_ADD_TO_WATCHLIST, {
            **self._key(event), "added_at": p["added_at"], "watched": p["watched"],
            "watched_at": p["watched_at"], "genre_ids": p["genre_ids"], "year": p["year"]}).one()
        document = self._count(conn, event, row.counters,
                               lambda c: stats.watchlist_item(c, p["watched"], +1))
        return self._change(event, document, "wl", _watchlist_entry(row), row.added_at)

    @handles("WatchlistItemWatched", "WatchlistItemUnwatched")
    def watchlist_item_watched(self, conn: Connection, event: Envelope) -> EntryChange:
        watched = event.event_type == "WatchlistItemWatched"
        row = conn.execute(_MARK_WATCHED, {
            **self._key(event), "watched": watched,
            "watched_at": event.payload["watched_at"] if watched else None}).one()
        document = self._count(conn, event, row.counters,
                               lambda c: stats.watched(c, 1 if watched else -1))
        return self._change(event, document, "wl", _watchlist_entry(row), row.added_at)

    @handles("WatchlistItemRemoved")
    def watchlist_item_removed(self, conn: Connection, event: Envelope) -> EntryChange:
        row = conn.execute(_REMOVE_FROM_WATCHLIST, self._key(event)).one()
        document = self._count(conn, event, row.counters,
                               lambda c: stats.watchlist_item(c, row.watched, -1))
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


def read_snapshot(engine: Engine, user_id: str) -> LibrarySnapshot | None:
    """The library as the read tables hold it, at one version (None: no library yet)."""
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
        with conn.begin():
            row = conn.execute(select(read_library_stats).where(
                read_library_stats.c.user_id == user_id)).first()
            if row is None:
                return None
            favorites = conn.execute(select(read_favorites).where(
                read_favorites.c.user_id == user_id)).all()
            watchlist = conn.execute(select(read_watchlist).where(
                read_watchlist.c.user_id == user_id)).all()
            document = stats_document(conn, row.counters)
    return LibrarySnapshot(
        user_id, row.version, document,
        [(f.tmdb_id, _favorite_entry(f), docs.millis(f.added_at)) for f in favorites],
        [(w.tmdb_id, _watchlist_entry(w), docs.millis(w.added_at)) for w in watchlist])

