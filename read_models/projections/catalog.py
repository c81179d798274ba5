"""Projections of the catalog events: read_movies (+ Redis cards and details),
read_lists (+ Redis id lists) and read_genres.

Each is one fold (read_models.projections.framework.Fold), run by the live workers a
batch at a time and by the rebuild over the whole log. After a live batch commits,
the documents of every aggregate it touched go to Redis, each only if newer than what
Redis holds; a duplicate delivery copies the stored row again, so a lost Redis write
heals itself.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import Connection, text

from adapters.messaging.envelope import Envelope
from domain.catalog import events
from read_models.projections.framework import AppliedBatch, FoldProjection, json_rows
from read_models.projections.movie_counters import drop_deltas, early_deltas
from read_models.stores import movie_documents as docs
from read_models.stores.redis_docs import RedisDocuments

MOVIE_IMPORTED = events.MovieImported.event_type()
MOVIE_UPDATED = events.MovieUpdated.event_type()
MOVIE_DELISTED = events.MovieDelisted.event_type()
MOVIE_RELATIONS_REFRESHED = events.MovieRelationsRefreshed.event_type()
GENRES_SYNCED = events.GenresSynced.event_type()
LIST_REFRESHED = events.ListRefreshed.event_type()
RELATION_KINDS = ("recommendations", "similar")


def _search_vector(title: str, original_title: str, overview: str) -> str:
    """The weighted tsvector of a movie, over three SQL expressions."""
    return f"""
    setweight(to_tsvector('simple', unaccent({title})), 'A')
    || setweight(to_tsvector('simple', unaccent({original_title})), 'B')
    || setweight(to_tsvector('english', unaccent({overview})), 'C')"""


@dataclass(frozen=True)
class Put:
    """One Redis document to write after the commit."""

    key: str
    document: str | bytes
    version: int


def _release_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Counts:
    """What people did with a movie (see movie_counters)."""

    favorite_count: int = 0
    rating_sum: int = 0
    rating_count: int = 0
    counts_seq: int = 0

    @classmethod
    def of(cls, row: Any) -> "Counts":
        return cls(row["favorite_count"], row["rating_sum"], row["rating_count"],
                   row["counts_seq"])

    def plus(self, other: "Counts") -> "Counts":
        return Counts(self.favorite_count + other.favorite_count,
                      self.rating_sum + other.rating_sum,
                      self.rating_count + other.rating_count, self.counts_seq + other.counts_seq)


def movie_columns(fields: dict, genre_names: dict[int, str], counts: Counts,
                  delisted: bool, complete: bool, version: int) -> dict:
    """The read_movies columns a movie's fields give (documents as dicts)."""
    card = docs.card(fields, genre_names, counts.favorite_count)
    detail = docs.detail_of_card(card, fields, docs.average_rating(counts.rating_sum,
                                                                    counts.rating_count))
    return {
        "tmdb_id": fields["tmdb_id"], "fields": fields, "card": card,
        "detail": detail, "title": fields["title"],
        "original_title": fields["original_title"], "overview": fields["overview"],
        "popularity": fields["popularity"], "vote_average": fields["vote_average"],
        "vote_count": fields["vote_count"],
        "release_date": _release_date(fields["release_date"]),
        "year": docs.year_of(fields["release_date"]),
        "original_language": fields["original_language"], "genre_ids": fields["genre_ids"],
        "delisted": delisted, "favorite_count": counts.favorite_count,
        "rating_sum": counts.rating_sum, "rating_count": counts.rating_count,
        "counts_seq": counts.counts_seq, "detail_complete": complete, "version": version,
    }


def imported_fields(payload: dict) -> dict:
    return {k: v for k, v in payload.items() if k != "detail_complete"}


def updated_fields(current: dict, changes: dict) -> dict:
    """Only the changes to fields the movie has (not `detail_complete`, `delisted`)."""
    return {**current, **{k: v for k, v in changes.items() if k in current}}


def genre_moves(old_ids: list[int], was_delisted: bool, new_ids: list[int],
                delisted: bool) -> tuple[list[int], list[int]]:
    """(genres that lose the movie, genres that gain it) as a movie changes."""
    before = set() if was_delisted else set(old_ids)
    after = set() if delisted else set(new_ids)
    return sorted(before - after), sorted(after - before)


def _movie_puts(tmdb_id: int, card: str, detail: str, delisted: bool, complete: bool,
                document_version: int) -> list[Put]:
    if delisted:
        card = detail = docs.TOMBSTONE
    return [Put(docs.card_key(tmdb_id), card, document_version),
            Put(docs.detail_key(tmdb_id), detail, document_version),
            Put(docs.complete_key(tmdb_id), b"1" if complete else b"0", document_version)]


def puts_of_stored_movie(row: Any, kinds: tuple[str, ...] = RELATION_KINDS) -> list[Put]:
    """The Redis documents of a read_movies row (card, detail, the relation lists of
    these kinds)."""
    puts = _movie_puts(row["tmdb_id"], docs.dump(row["card"]), docs.dump(row["detail"]),
                       row["delisted"], row["detail_complete"],
                       docs.document_version(row["version"], row["counts_seq"]))
    return puts + [Put(docs.relations_key(kind, row["tmdb_id"]), docs.dump(row[kind]),
                       row["version"]) for kind in kinds]


@dataclass(frozen=True)
class MovieState:
    """A read_movies row in memory (without `search`), the genre counts its events moved
    and the counter deltas it took in since it was loaded."""

    row: dict
    genre_deltas: tuple[tuple[int, int], ...] = ()
    taken: tuple[int, ...] = ()        # read_movie_counter_deltas ids folded into the row

    def moved(self, row: dict, ids: list[int], delta: int) -> "MovieState":
        return replace(self, row=row,
                       genre_deltas=self.genre_deltas + tuple((gid, delta) for gid in ids))


_MOVIE_COLUMNS = ("tmdb_id", "fields", "card", "detail", "title", "original_title", "overview",
                  "popularity", "vote_average", "vote_count", "release_date", "year",
                  "original_language", "genre_ids", "favorite_count", "rating_sum",
                  "rating_count", "counts_seq", "detail_complete", "delisted",
                  "recommendations", "similar", "version")
_QUOTED = [f'"{c}"' for c in _MOVIE_COLUMNS]         # `similar` is an SQL keyword
# Locked: the counter fold (movie_counters) changes the same rows.
_LOAD_MOVIES = text(f"SELECT {', '.join(_QUOTED)} FROM read_movies "
                    "WHERE tmdb_id = ANY(CAST(:ids AS integer[])) ORDER BY tmdb_id FOR UPDATE")
_SAVE_MOVIES = text(f"""
    INSERT INTO read_movies ({', '.join(_QUOTED)}, search)
    SELECT {', '.join(_QUOTED)}, {_search_vector("title", "original_title", "overview")}
    FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(tmdb_id integer, fields jsonb,
        card jsonb, detail jsonb, title text, original_title text, overview text,
        popularity double precision, vote_average double precision, vote_count integer,
        release_date date, year integer, original_language text, genre_ids integer[],
        favorite_count integer, rating_sum integer, rating_count integer,
        counts_seq integer, detail_complete boolean, delisted boolean,
        recommendations integer[], "similar" integer[], version integer)
    ORDER BY tmdb_id
    ON CONFLICT (tmdb_id) DO UPDATE SET
        {', '.join(f"{c} = EXCLUDED.{c}" for c in _QUOTED[1:])}, search = EXCLUDED.search
""")
_MOVE_GENRE_COUNTS = text("""
    INSERT INTO read_genres AS g (id, movie_count)
    SELECT id, delta FROM unnest(CAST(:ids AS integer[]), CAST(:deltas AS integer[]))
         AS d(id, delta) ORDER BY id
    ON CONFLICT (id) DO UPDATE SET movie_count = g.movie_count + EXCLUDED.movie_count
""")


def _genre_names(conn: Connection, shared: dict) -> dict[int, str]:
    """The genre names of the moment: read from read_genres once per batch (live) or
    flush (rebuild), kept in `shared`, where GenresFold replaces them at each
    GenresSynced (in log order)."""
    if "genre_names" not in shared:
        rows = conn.execute(text("SELECT id, name FROM read_genres")).all()
        shared["genre_names"] = dict(rows)
    return shared["genre_names"]


class MoviesFold:
    """read_movies rows and the genre counts, cards built with the genre names of the
    moment (see _genre_names). A movie that meets its own row (imported twice) keeps its
    counts, and its genres count it once; favorites that came before the movie did are
    taken in when it is imported (movie_counters)."""

    def __init__(self, conn: Connection, shared: dict):
        self.conn, self.shared = conn, shared
        self.early: dict[int, tuple[Counts, tuple[int, ...]]] = {}
        _genre_names(conn, shared)

    @property
    def genre_names(self) -> dict[int, str]:
        return self.shared["genre_names"]

    def prepare(self, states: dict[str, MovieState | None], events_: list[Envelope]) -> None:
        missing = sorted({int(e.aggregate_id) for e in events_} - {int(i) for i in states})
        if missing:
            rows = self.conn.execute(_LOAD_MOVIES, {"ids": missing}).mappings()
            states.update({str(row["tmdb_id"]): MovieState(dict(row)) for row in rows})
        imported = sorted({int(e.aggregate_id) for e in events_
                           if e.event_type == MOVIE_IMPORTED})
        if imported:
            for tmdb_id, (favorites, rating_sum, ratings, ids) in early_deltas(
                    self.conn, imported).items():
                self.early[tmdb_id] = (Counts(favorites, rating_sum, ratings, len(ids)), ids)

    def evolve(self, state: MovieState | None, event: Envelope) -> MovieState | None:
        kind, version = event.event_type, event.aggregate_version
        if kind == MOVIE_IMPORTED:
            return self._imported(state, event)
        if kind == MOVIE_RELATIONS_REFRESHED:
            if state is None:        # relations of a movie we do not have: nothing
                return None
            row = {**state.row, event.payload["kind"]: event.payload["tmdb_ids"],
                   "version": version}
            return replace(state, row=row)
        if kind not in (MOVIE_UPDATED, MOVIE_DELISTED):
            return state
        if state is None:
            raise LookupError(f"movie {event.aggregate_id} is not in read_movies")
        row = state.row
        if kind == MOVIE_DELISTED:
            lost = [] if row["delisted"] else sorted(set(row["genre_ids"]))
            return state.moved({**row, "delisted": True, "version": version}, lost, -1)
        changes = event.payload["changes"]
        fields = updated_fields(row["fields"], changes)
        delisted = changes.get("delisted", row["delisted"])
        lost, gained = genre_moves(row["fields"]["genre_ids"], row["delisted"],
                                   fields["genre_ids"], delisted)
        complete = changes.get("detail_complete", row["detail_complete"])
        new_row = {**row, **movie_columns(fields, self.genre_names, Counts.of(row),
                                          delisted, complete, version)}
        return state.moved(new_row, lost, -1).moved(new_row, gained, +1)

    def _imported(self, state: MovieState | None, event: Envelope) -> MovieState:
        fields = imported_fields(event.payload)
        early, taken = self.early.pop(fields["tmdb_id"], (Counts(), ()))
        counts = Counts.of(state.row).plus(early) if state else early
        row = movie_columns(fields, self.genre_names, counts, False,
                            event.payload["detail_complete"], event.aggregate_version)
        kept = state.row if state else {kind: [] for kind in RELATION_KINDS}
        row.update({kind: kept[kind] for kind in RELATION_KINDS})
        if state is None:
            return MovieState({}, taken=taken).moved(row, sorted(set(fields["genre_ids"])), +1)
        lost, gained = genre_moves(state.row["fields"]["genre_ids"], state.row["delisted"],
                                   fields["genre_ids"], False)
        state = replace(state, taken=state.taken + taken)
        return state.moved(row, lost, -1).moved(row, gained, +1)

    def save(self, conn: Connection, states: dict[str, MovieState]) -> None:
        conn.execute(_SAVE_MOVIES, {"rows": json_rows([s.row for s in states.values()])})
        drop_deltas(conn, [i for s in states.values() for i in s.taken])
        deltas: Counter[int] = Counter()
        for state in states.values():
            for gid, delta in state.genre_deltas:
                deltas[gid] += delta
        if deltas:
            ids = sorted(deltas)
            conn.execute(_MOVE_GENRE_COUNTS, {"ids": ids, "deltas": [deltas[i] for i in ids]})


class MoviesTable(FoldProjection):
    """Also moves the catalog generation after every batch that changed a movie: cached
    search pages are keyed by it, so none outlives the catalog it was computed from."""

    name = "movies_table"
    follows = frozenset({"movie"})
    tables = frozenset({"read_movies", "read_genres", "read_movie_counter_deltas"})

    def __init__(self, documents: RedisDocuments):
        self.documents = documents

    def fold(self, conn: Connection, shared: dict) -> MoviesFold:
        return MoviesFold(conn, shared)

    def after_commit(self, batch: AppliedBatch) -> None:
        refreshed = {(e.aggregate_id, e.payload["kind"]) for e in batch.applied
                     if e.event_type == MOVIE_RELATIONS_REFRESHED}
        puts = [(p.key, p.document, p.version)
                for tmdb_id, state in batch.states.items()
                for p in puts_of_stored_movie(state.row, tuple(
                    kind for kind in RELATION_KINDS
                    if state.row[kind] or (tmdb_id, kind) in refreshed))]
        self.documents.put_many(puts)
        if batch.applied:
            self.documents.redis.incr(docs.CATALOG_GENERATION_KEY)


_NAME_GENRES = text("""
    INSERT INTO read_genres AS g (id, name)
    SELECT (item ->> 'id')::int, item ->> 'name'
    FROM jsonb_array_elements(CAST(:genres AS jsonb)) AS item
    ORDER BY 1
    ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name
""")
_UNNAME_OTHERS = text("UPDATE read_genres SET name = '' WHERE NOT (id = ANY(:ids))")
# One pass over read_movies (not one per genre: the rebuild recounts before the
# genre_ids index exists); a movie counts once per genre it has.
_RECOUNT_GENRES = text("""
    UPDATE read_genres g SET movie_count = coalesce(counted.movies, 0)
    FROM read_genres every
    LEFT JOIN (SELECT gid, count(*) AS movies
               FROM read_movies m, LATERAL (SELECT DISTINCT unnest(m.genre_ids) AS gid) ids
               WHERE NOT m.delisted GROUP BY gid) counted ON counted.gid = every.id
    WHERE g.id = every.id
""")


class GenresFold:
    """The names change in memory at once (the movies fold builds the next cards with
    them); the rows are written at the save, after the movies fold's (projection
    order), then the counts are recounted over read_movies. A recount then gives what
    one at the sync plus the movies fold's increments would: the counts kept as movies
    come and go are exact."""

    def __init__(self, conn: Connection, shared: dict):
        self.conn, self.shared = conn, shared
        _genre_names(conn, shared)

    def prepare(self, states: dict[str, list[dict] | None], events_: list[Envelope]) -> None:
        """Nothing to load: a sync replaces the names whole."""

    def evolve(self, state: list[dict] | None, event: Envelope) -> list[dict] | None:
        if event.event_type != GENRES_SYNCED:
            return state
        genres = event.payload["genres"]
        self.shared["genre_names"] = {int(g["id"]): g["name"] for g in genres}
        self.shared["genres_synced"] = genres
        return genres

    def save(self, conn: Connection, states: dict[str, list[dict]]) -> None:
        genres = self.shared["genres_synced"]      # the last one, whichever aggregate
        conn.execute(_NAME_GENRES, {"genres": json.dumps(genres)})
        conn.execute(_UNNAME_OTHERS, {"ids": [int(g["id"]) for g in genres]})
        conn.execute(_RECOUNT_GENRES)


class GenresTable(FoldProjection):
    """read_genres: names from GenresSynced, movie counts recounted then (and kept up
    by MoviesTable as movies come and go). GET /genres caches its body in Redis for a
    few seconds; a sync drops that cache."""

    name = "genres_table"
    follows = frozenset({"genre_catalog"})
    tables = frozenset({"read_genres", "read_movies"})

    def __init__(self, documents: RedisDocuments):
        self.documents = documents

    def fold(self, conn: Connection, shared: dict) -> GenresFold:
        return GenresFold(conn, shared)

    def after_commit(self, batch: AppliedBatch) -> None:
        if batch.applied:
            self.documents.redis.delete(docs.GENRES_KEY)


def list_row(event: Envelope) -> dict:
    """The read_lists row a ListRefreshed writes."""
    return {"name": event.aggregate_id, "tmdb_ids": event.payload["tmdb_ids"],
            "refreshed_at": event.payload["refreshed_at"], "version": event.aggregate_version}


_LOAD_LISTS = text("SELECT name, tmdb_ids, refreshed_at, version FROM read_lists "
                   "WHERE name = ANY(:names)")
_SAVE_LISTS = text("""
    INSERT INTO read_lists AS l (name, tmdb_ids, refreshed_at, version)
    SELECT name, tmdb_ids, refreshed_at, version
    FROM jsonb_to_recordset(CAST(:rows AS jsonb))
         AS r(name text, tmdb_ids integer[], refreshed_at timestamptz, version integer)
    ORDER BY name
    ON CONFLICT (name) DO UPDATE SET tmdb_ids = EXCLUDED.tmdb_ids,
        refreshed_at = EXCLUDED.refreshed_at, version = EXCLUDED.version
""")


class ListsFold:
    def __init__(self, conn: Connection):
        self.conn = conn

    def prepare(self, states: dict[str, dict | None], events_: list[Envelope]) -> None:
        if missing := sorted({e.aggregate_id for e in events_} - states.keys()):
            rows = self.conn.execute(_LOAD_LISTS, {"names": missing}).mappings()
            states.update({row["name"]: dict(row) for row in rows})

    def evolve(self, state: dict | None, event: Envelope) -> dict | None:
        return list_row(event) if event.event_type == LIST_REFRESHED else state

    def save(self, conn: Connection, states: dict[str, dict]) -> None:
        conn.execute(_SAVE_LISTS, {"rows": json_rows(list(states.values()))})


class ListsTable(FoldProjection):
    """read_lists and, in Redis, the list of ids (TMDb's order from the last sync),
    replaced whole and only by a newer version."""

    name = "lists_table"
    follows = frozenset({"curated_list"})
    tables = frozenset({"read_lists"})

    def __init__(self, documents: RedisDocuments):
        self.documents = documents

    def fold(self, conn: Connection, shared: dict) -> ListsFold:
        return ListsFold(conn)

    def after_commit(self, batch: AppliedBatch) -> None:
        self.documents.put_lists((docs.list_key(name), list(state["tmdb_ids"]),
                                  state["version"]) for name, state in batch.states.items())
