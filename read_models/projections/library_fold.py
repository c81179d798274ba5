"""The library projection as a fold (read_models.projections.framework.Fold): its states
are loaded, and saved, a whole batch or page of libraries in one statement.

prepare loads the counters of the libraries it is not given and, of every library, the
entries the events touch that its state does not know yet (a state kept from an
earlier page may lack an entry a later event touches). save writes the entries that
differ from what the tables hold (upserts and deletes), the counters and version, and
the movie counter deltas not recorded yet, in one statement.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Iterable

from sqlalchemy import Connection, text

from adapters.messaging.envelope import Envelope
from read_models.projections.framework import json_rows
from read_models.projections.library_state import (
    FAVORITES,
    WATCHLIST,
    Favorite,
    LibraryState,
    WatchlistItem,
    Written,
    evolve,
    touches,
)

_LOAD_COUNTERS = text("""
    SELECT user_id, counters, version FROM read_library_stats
    WHERE user_id = ANY(CAST(:ids AS text[]))
""")
_ENTRY_COLUMNS = """f.user_id, f.tmdb_id, f.rating, f.notes, f.added_at, f.updated_at,
    NULL::boolean AS watched, NULL::timestamptz AS watched_at, f.genre_ids, f.year"""
_ITEM_COLUMNS = """w.user_id, w.tmdb_id, NULL::smallint, NULL::text, w.added_at, NULL,
    w.watched, w.watched_at, w.genre_ids, w.year"""
# These (user, tmdb id) entries, where they exist.
_LOAD_ENTRIES = text(f"""
    SELECT '{FAVORITES}' AS kind, {_ENTRY_COLUMNS}
    FROM unnest(CAST(:favorite_users AS text[]), CAST(:favorite_ids AS integer[]))
         AS k(user_id, tmdb_id)
    JOIN read_favorites f ON f.user_id = k.user_id AND f.tmdb_id = k.tmdb_id
    UNION ALL
    SELECT '{WATCHLIST}', {_ITEM_COLUMNS}
    FROM unnest(CAST(:item_users AS text[]), CAST(:item_ids AS integer[]))
         AS k(user_id, tmdb_id)
    JOIN read_watchlist w ON w.user_id = k.user_id AND w.tmdb_id = k.tmdb_id
""")
_KEYS = "AS r(user_id text, tmdb_id integer)"
_SAVE = text(f"""
    WITH favorites AS (
        INSERT INTO read_favorites (user_id, tmdb_id, rating, notes, added_at, updated_at,
                                    genre_ids, year)
        SELECT * FROM jsonb_to_recordset(CAST(:favorites AS jsonb)) AS r(
            user_id text, tmdb_id integer, rating smallint, notes text,
            added_at timestamptz, updated_at timestamptz, genre_ids integer[], year integer)
        ON CONFLICT (user_id, tmdb_id) DO UPDATE SET rating = EXCLUDED.rating,
            notes = EXCLUDED.notes, added_at = EXCLUDED.added_at,
            updated_at = EXCLUDED.updated_at, genre_ids = EXCLUDED.genre_ids,
            year = EXCLUDED.year),
    unfavorites AS (
        DELETE FROM read_favorites f USING jsonb_to_recordset(CAST(:unfavorites AS jsonb)) {_KEYS}
        WHERE f.user_id = r.user_id AND f.tmdb_id = r.tmdb_id),
    items AS (
        INSERT INTO read_watchlist (user_id, tmdb_id, added_at, watched, watched_at,
                                    genre_ids, year)
        SELECT * FROM jsonb_to_recordset(CAST(:items AS jsonb)) AS r(
            user_id text, tmdb_id integer, added_at timestamptz, watched boolean,
            watched_at timestamptz, genre_ids integer[], year integer)
        ON CONFLICT (user_id, tmdb_id) DO UPDATE SET added_at = EXCLUDED.added_at,
            watched = EXCLUDED.watched, watched_at = EXCLUDED.watched_at,
            genre_ids = EXCLUDED.genre_ids, year = EXCLUDED.year),
    unitems AS (
        DELETE FROM read_watchlist w USING jsonb_to_recordset(CAST(:unitems AS jsonb)) {_KEYS}
        WHERE w.user_id = r.user_id AND w.tmdb_id = r.tmdb_id),
    counters AS (
        INSERT INTO read_library_stats AS s (user_id, counters, version)
        SELECT * FROM jsonb_to_recordset(CAST(:counters AS jsonb))
                      AS r(user_id text, counters jsonb, version integer)
        ON CONFLICT (user_id) DO UPDATE SET counters = EXCLUDED.counters,
                                            version = EXCLUDED.version)
    INSERT INTO read_movie_counter_deltas (tmdb_id, favorites, rating_sum, ratings)
    SELECT * FROM unnest(CAST(:delta_ids AS integer[]), CAST(:delta_favorites AS smallint[]),
                         CAST(:delta_rating_sums AS smallint[]),
                         CAST(:delta_ratings AS smallint[]))
""")


def _favorite(row) -> Favorite:
    return Favorite(row.rating, row.notes, row.added_at, row.updated_at, row.genre_ids,
                    row.year)


def _watchlist_item(row) -> WatchlistItem:
    return WatchlistItem(row.added_at, row.watched, row.watched_at, row.genre_ids, row.year)


_ENTRY = {FAVORITES: _favorite, WATCHLIST: _watchlist_item}


class LibraryFold:
    """LibraryTable's fold. `evolve` is library_state.evolve; this adds the loading
    and the writing, on `conn` (prepare) and on the connection save is given."""

    def __init__(self, conn: Connection):
        self.conn = conn

    evolve = staticmethod(evolve)

    def prepare(self, states: dict[str, LibraryState | None],
                events: list[Envelope]) -> None:
        """Loads the counters of the libraries not in `states` (one with no row stays
        out: it is new) and the entries the events touch that their states lack."""
        unknown = sorted({e.aggregate_id for e in events} - states.keys())
        if unknown:
            for row in self.conn.execute(_LOAD_COUNTERS, {"ids": unknown}):
                states[row.user_id] = LibraryState(row.user_id, row.version, row.counters,
                                                   {}, {}, Written())
        wanted = {kind: set() for kind in (FAVORITES, WATCHLIST)}
        for event in events:
            state, touched = states.get(event.aggregate_id), touches(event)
            if state is not None and touched and not state.complete \
                    and touched[1] not in getattr(state, touched[0]):
                wanted[touched[0]].add((event.aggregate_id, touched[1]))
        if any(wanted.values()):
            self._load_entries(states, wanted)

    def _load_entries(self, states: dict[str, LibraryState | None],
                      wanted: dict[str, set[tuple[str, int]]]) -> None:
        found = {(row.kind, row.user_id, row.tmdb_id): _ENTRY[row.kind](row)
                 for row in self.conn.execute(_LOAD_ENTRIES, {
                     "favorite_users": [u for u, _ in wanted[FAVORITES]],
                     "favorite_ids": [t for _, t in wanted[FAVORITES]],
                     "item_users": [u for u, _ in wanted[WATCHLIST]],
                     "item_ids": [t for _, t in wanted[WATCHLIST]]})}
        loaded: dict[str, dict[str, dict[int, Any]]] = {}
        for kind, keys in wanted.items():
            for user_id, tmdb_id in keys:
                entry = found.get((kind, user_id, tmdb_id))     # None: no entry
                loaded.setdefault(user_id, {FAVORITES: {}, WATCHLIST: {}})[kind][tmdb_id] = entry
        for user_id, kinds in loaded.items():
            state = states[user_id]
            for kind, entries in kinds.items():
                getattr(state.written, kind).update(entries)
            states[user_id] = replace(state, **{kind: {**getattr(state, kind), **entries}
                                                for kind, entries in kinds.items()})

    @staticmethod
    def save(conn: Connection, states: dict[str, LibraryState]) -> None:
        rows = _Rows()
        for state in states.values():
            rows.add(state)
        conn.execute(_SAVE, rows.params())
        for state in states.values():
            written(state)


def written(state: LibraryState) -> None:
    """After a save: the tables hold the state's entries and deltas."""
    state.written.favorites.update(state.favorites)
    state.written.watchlist.update(state.watchlist)
    state.written.deltas = len(state.deltas)


class _Rows:
    """The rows one save writes."""

    def __init__(self):
        self.favorites, self.unfavorites, self.items, self.unitems = [], [], [], []
        self.counters, self.deltas = [], []

    def add(self, state: LibraryState) -> None:
        written = state.written
        for kind, upserts, deletes in ((FAVORITES, self.favorites, self.unfavorites),
                                       (WATCHLIST, self.items, self.unitems)):
            for tmdb_id, entry in _changed(getattr(state, kind), getattr(written, kind)):
                key = {"user_id": state.user_id, "tmdb_id": tmdb_id}
                if entry is None:
                    deletes.append(key)
                else:
                    upserts.append(key | {name: getattr(entry, name)
                                          for name in entry.__slots__})
        self.counters.append({"user_id": state.user_id, "counters": state.counters,
                              "version": state.version})
        self.deltas += state.deltas[written.deltas:]

    def params(self) -> dict[str, Any]:
        ids, favorites, rating_sums, ratings = (list(c) for c in zip(*self.deltas)) \
            if self.deltas else ([], [], [], [])
        return {"favorites": json_rows(self.favorites),
                "unfavorites": json_rows(self.unfavorites),
                "items": json_rows(self.items), "unitems": json_rows(self.unitems),
                "counters": json_rows(self.counters), "delta_ids": ids,
                "delta_favorites": favorites, "delta_rating_sums": rating_sums,
                "delta_ratings": ratings}


def _changed(entries: dict[int, Any], written: dict[int, Any]) -> Iterable[tuple[int, Any]]:
    """The entries that differ from the tables' (an entry not written has no row)."""
    return ((tmdb_id, entry) for tmdb_id, entry in entries.items()
            if entry != written.get(tmdb_id))
