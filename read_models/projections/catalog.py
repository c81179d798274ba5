"""Projections of the catalog events: read_movies (+ Redis cards and details),
read_lists (+ Redis id lists) and read_genres.

Each commits its rows with its checkpoint; after the commit, the documents it wrote
go to Redis, each only if newer than what Redis holds. A duplicate delivery copies
the stored row to Redis again, so a lost Redis write heals itself.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import Connection, Engine, select, text

from adapters.messaging.envelope import Envelope
from read_models.projections.framework import (
    Outcome,
    PostgresProjection,
    handles,
    json_rows,
)
from read_models.projections.movie_counters import take_pending
from read_models.stores import movie_documents as docs
from read_models.stores.catalog_tables import read_lists, read_movies
from read_models.stores.redis_docs import RedisDocuments


def _search_vector(title: str, original_title: str, overview: str) -> str:
    """The weighted tsvector of a movie, over three SQL expressions."""
    return f"""
    setweight(to_tsvector('simple', unaccent({title})), 'A')
    || setweight(to_tsvector('simple', unaccent({original_title})), 'B')
    || setweight(to_tsvector('english', unaccent({overview})), 'C')"""


_UPSERT_MOVIE = text(f"""
    INSERT INTO read_movies AS m (tmdb_id, fields, card, detail, title, original_title,
        overview, search, popularity, vote_average, vote_count, release_date, year,
        original_language, genre_ids, delisted, favorite_count, rating_sum, rating_count,
        counts_seq, detail_complete, version)
    VALUES (:tmdb_id, CAST(:fields AS jsonb), CAST(:card AS jsonb), CAST(:detail AS jsonb),
        :title, :original_title, :overview,
        {_search_vector(":title", ":original_title", ":overview")}, :popularity, :vote_average,
        :vote_count, :release_date, :year, :original_language, :genre_ids, :delisted,
        :favorite_count, :rating_sum, :rating_count, :counts_seq, :detail_complete,
        :version)
    ON CONFLICT (tmdb_id) DO UPDATE SET fields = EXCLUDED.fields, card = EXCLUDED.card,
        detail = EXCLUDED.detail, title = EXCLUDED.title,
        original_title = EXCLUDED.original_title, overview = EXCLUDED.overview,
        search = EXCLUDED.search, popularity = EXCLUDED.popularity,
        vote_average = EXCLUDED.vote_average, vote_count = EXCLUDED.vote_count,
        release_date = EXCLUDED.release_date, year = EXCLUDED.year,
        original_language = EXCLUDED.original_language, genre_ids = EXCLUDED.genre_ids,
        delisted = EXCLUDED.delisted, favorite_count = EXCLUDED.favorite_count,
        rating_sum = EXCLUDED.rating_sum, rating_count = EXCLUDED.rating_count,
        counts_seq = EXCLUDED.counts_seq, detail_complete = EXCLUDED.detail_complete,
        version = EXCLUDED.version
""")
# Counts movies per genre as they come and go; returns the genres' names.
_COUNT_GENRES = text("""
    INSERT INTO read_genres AS g (id, movie_count)
    SELECT gid, :delta FROM unnest(CAST(:ids AS integer[])) AS gid ORDER BY gid
    ON CONFLICT (id) DO UPDATE SET movie_count = g.movie_count + EXCLUDED.movie_count
    RETURNING id, name
""")
_GENRE_NAMES = text("SELECT id, name FROM read_genres WHERE id = ANY(:ids)")
# Locked: the counter fold (movie_counters) changes the same row and documents.
_CURRENT_MOVIE = text("""
    SELECT fields, favorite_count, rating_sum, rating_count, counts_seq, delisted,
           detail_complete
    FROM read_movies WHERE tmdb_id = :tmdb_id FOR UPDATE
""")

_DELIST = text("""
    WITH old AS (SELECT delisted FROM read_movies WHERE tmdb_id = :tmdb_id FOR UPDATE)
    UPDATE read_movies m SET delisted = true, version = :version FROM old
    WHERE m.tmdb_id = :tmdb_id
    RETURNING m.genre_ids, m.counts_seq, m.detail_complete, old.delisted AS was_delisted
""")


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


def _row(fields: dict, genre_names: dict[int, str], counts: Counts, delisted: bool,
         complete: bool, version: int) -> tuple[dict, list[Put]]:
    """The read_movies row of a movie, and the Redis documents that go with it."""
    row = movie_columns(fields, genre_names, counts, delisted, complete, version)
    row.update(fields=docs.dump(fields), card=docs.dump(row["card"]),
               detail=docs.dump(row["detail"]))
    return row, _movie_puts(fields["tmdb_id"], row["card"], row["detail"], delisted, complete,
                            docs.document_version(version, counts.counts_seq))


def _movie_puts(tmdb_id: int, card: str, detail: str, delisted: bool, complete: bool,
                document_version: int) -> list[Put]:
    if delisted:
        card = detail = docs.TOMBSTONE
    return [Put(docs.card_key(tmdb_id), card, document_version),
            Put(docs.detail_key(tmdb_id), detail, document_version),
            Put(docs.complete_key(tmdb_id), b"1" if complete else b"0", document_version)]


class _RedisCopy(PostgresProjection):
    """After the commit, the documents a handler returned go to Redis; on a duplicate,
    the stored ones (`stored_puts`) go again."""

    def __init__(self, engine: Engine, documents: RedisDocuments):
        super().__init__(engine)
        self.documents = documents

    def after_commit(self, envelope: Envelope, outcome: Outcome, result: Any) -> None:
        puts = result if result is not None else self.stored_puts(envelope.aggregate_id)
        for put in puts:
            self.documents.put(put.key, put.document, put.version)

    def stored_puts(self, aggregate_id: str) -> list[Put]:
        return []


class MoviesTable(_RedisCopy):
    """Also moves the catalog generation on every applied change: cached search pages
    are keyed by it, so none outlives the catalog it was computed from."""

    name = "movies_table"
    follows = frozenset({"movie"})
    tables = frozenset({"read_movies", "read_genres"})

    def after_commit(self, envelope: Envelope, outcome: Outcome, result: Any) -> None:
        super().after_commit(envelope, outcome, result)
        if outcome is Outcome.APPLIED:
            self.documents.redis.incr(docs.CATALOG_GENERATION_KEY)

    @handles("MovieImported")
    def imported(self, conn: Connection, event: Envelope) -> list[Put]:
        """A movie that meets its own row (the event applied twice) keeps its counts,
        and its genres count it once."""
        fields = imported_fields(event.payload)
        current = conn.execute(_CURRENT_MOVIE, {"tmdb_id": fields["tmdb_id"]}).first()
        early = _early_counts(conn, fields["tmdb_id"])
        if current is None:
            names = _count_genres(conn, fields["genre_ids"], +1)
            counts = early
        else:
            names = _recount(conn, current.fields["genre_ids"], current.delisted,
                             fields["genre_ids"], False)
            counts = Counts.of(current._mapping).plus(early)
        row, puts = _row(fields, names, counts, False, event.payload["detail_complete"],
                         event.aggregate_version)
        conn.execute(_UPSERT_MOVIE, row)
        return puts

    @handles("MovieUpdated")
    def updated(self, conn: Connection, event: Envelope) -> list[Put]:
        current = conn.execute(_CURRENT_MOVIE, {"tmdb_id": int(event.aggregate_id)}).one()
        changes = event.payload["changes"]
        fields = updated_fields(current.fields, changes)
        delisted = changes.get("delisted", current.delisted)
        names = _recount(conn, current.fields["genre_ids"], current.delisted,
                         fields["genre_ids"], delisted)
        complete = changes.get("detail_complete", current.detail_complete)
        row, puts = _row(fields, names, Counts.of(current._mapping), delisted, complete,
                         event.aggregate_version)
        conn.execute(_UPSERT_MOVIE, row)
        return puts

    @handles("MovieDelisted")
    def delisted(self, conn: Connection, event: Envelope) -> list[Put]:
        row = conn.execute(_DELIST, {"tmdb_id": int(event.aggregate_id),
                                     "version": event.aggregate_version}).one()
        if not row.was_delisted:            # a second delisting uncounts nothing
            _count_genres(conn, row.genre_ids, -1)
        return _movie_puts(int(event.aggregate_id), "", "", True, row.detail_complete,
                           docs.document_version(event.aggregate_version, row.counts_seq))

    @handles("MovieRelationsRefreshed")
    def relations(self, conn: Connection, event: Envelope) -> list[Put]:
        kind, ids = event.payload["kind"], event.payload["tmdb_ids"]
        column = read_movies.c[kind]
        conn.execute(read_movies.update().where(
            read_movies.c.tmdb_id == int(event.aggregate_id)).values(
            {column: ids, read_movies.c.version: event.aggregate_version}))
        return [Put(docs.relations_key(kind, event.aggregate_id), docs.dump(ids),
                    event.aggregate_version)]

    def unhandled(self, conn: Connection, event: Envelope) -> list[Put]:
        return []

    def stored_puts(self, aggregate_id: str) -> list[Put]:
        with self.engine.connect() as conn:
            row = conn.execute(select(read_movies).where(
                read_movies.c.tmdb_id == int(aggregate_id))).mappings().first()
        return [] if row is None else puts_of_stored_movie(row)

    def bulk_fold(self, conn: Connection, shared: dict) -> "MoviesFold":
        return MoviesFold(conn, shared)


def _early_counts(conn: Connection, tmdb_id: int) -> Counts:
    """Favorites and ratings that came before the movie did (movie_counters)."""
    early = take_pending(conn, tmdb_id)
    return Counts(early.favorites, early.rating_sum, early.ratings, early.n)


def puts_of_stored_movie(row: Any) -> list[Put]:
    """The Redis documents of a read_movies row (card, detail, both relation lists)."""
    puts = _movie_puts(row["tmdb_id"], docs.dump(row["card"]), docs.dump(row["detail"]),
                       row["delisted"], row["detail_complete"],
                       docs.document_version(row["version"], row["counts_seq"]))
    return puts + [Put(docs.relations_key(kind, row["tmdb_id"]), docs.dump(row[kind]),
                       row["version"]) for kind in ("recommendations", "similar")]


@dataclass(frozen=True)
class MovieState:
    """A read_movies row in memory (without `search`), and the genre counts its events
    moved since it was loaded."""

    row: dict
    genre_deltas: tuple[tuple[int, int], ...] = ()

    def moved(self, row: dict, ids: list[int], delta: int) -> "MovieState":
        return MovieState(row, self.genre_deltas + tuple((gid, delta) for gid in ids))


_MOVIE_COLUMNS = ("tmdb_id", "fields", "card", "detail", "title", "original_title", "overview",
                  "popularity", "vote_average", "vote_count", "release_date", "year",
                  "original_language", "genre_ids", "favorite_count", "rating_sum",
                  "rating_count", "counts_seq", "detail_complete", "delisted",
                  "recommendations", "similar", "version")
_QUOTED = [f'"{c}"' for c in _MOVIE_COLUMNS]         # `similar` is an SQL keyword
_LOAD_MOVIES = text(f"SELECT {', '.join(_QUOTED)} FROM read_movies "
                    "WHERE tmdb_id = ANY(CAST(:ids AS integer[]))")
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
    """The genre names as the handlers would read them from read_genres now: kept in
    `shared`, where GenresFold replaces them at each GenresSynced (in log order)."""
    if "genre_names" not in shared:
        rows = conn.execute(text("SELECT id, name FROM read_genres")).all()
        shared["genre_names"] = dict(rows)
    return shared["genre_names"]


class MoviesFold:
    """MoviesTable's bulk path: the same rows and genre counts its handlers write,
    cards built with the genre names of the moment (see _genre_names)."""

    def __init__(self, conn: Connection, shared: dict):
        self.conn, self.shared = conn, shared
        _genre_names(conn, shared)

    @property
    def genre_names(self) -> dict[int, str]:
        return self.shared["genre_names"]

    def load(self, aggregate_ids: list[str]) -> dict[str, MovieState]:
        rows = self.conn.execute(_LOAD_MOVIES, {"ids": [int(i) for i in aggregate_ids]})
        return {str(row["tmdb_id"]): MovieState(dict(row)) for row in rows.mappings()}

    def evolve(self, state: MovieState | None, event: Envelope) -> MovieState | None:
        kind, version = event.event_type, event.aggregate_version
        if kind == "MovieImported":
            return self._imported(state, event)
        if kind == "MovieRelationsRefreshed":
            if state is None:        # the handler's UPDATE finds no row either
                return None
            row = {**state.row, event.payload["kind"]: event.payload["tmdb_ids"],
                   "version": version}
            return replace(state, row=row)
        if kind not in ("MovieUpdated", "MovieDelisted"):
            return state
        if state is None:
            raise LookupError(f"movie {event.aggregate_id} is not in read_movies")
        row = state.row
        if kind == "MovieDelisted":
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
        counts = Counts.of(state.row) if state else _early_counts(self.conn, fields["tmdb_id"])
        row = movie_columns(fields, self.genre_names, counts, False,
                            event.payload["detail_complete"], event.aggregate_version)
        kept = state.row if state else {"recommendations": [], "similar": []}
        row.update({name: kept[name] for name in ("recommendations", "similar")})
        if state is None:
            return MovieState({}).moved(row, sorted(set(fields["genre_ids"])), +1)
        lost, gained = genre_moves(state.row["fields"]["genre_ids"], state.row["delisted"],
                                   fields["genre_ids"], False)
        return state.moved(row, lost, -1).moved(row, gained, +1)

    def save(self, conn: Connection, states: dict[str, MovieState]) -> None:
        conn.execute(_SAVE_MOVIES, {"rows": json_rows([s.row for s in states.values()])})
        deltas: Counter[int] = Counter()
        for state in states.values():
            for gid, delta in state.genre_deltas:
                deltas[gid] += delta
        if deltas:
            ids = sorted(deltas)
            conn.execute(_MOVE_GENRE_COUNTS, {"ids": ids, "deltas": [deltas[i] for i in ids]})


def _count_genres(conn: Connection, genre_ids: list[int], delta: int) -> dict[int, str]:
    if not genre_ids:
        return {}
    rows = conn.execute(_COUNT_GENRES, {"ids": sorted(set(genre_ids)), "delta": delta})
    return {row.id: row.name for row in rows}


def _recount(conn: Connection, old_ids: list[int], was_delisted: bool, new_ids: list[int],
             delisted: bool) -> dict[int, str]:
    """Moves the genre counts from the old state to the new; returns the new names."""
    lost, gained = genre_moves(old_ids, was_delisted, new_ids, delisted)
    _count_genres(conn, lost, -1)
    _count_genres(conn, gained, +1)
    rows = conn.execute(_GENRE_NAMES, {"ids": list(new_ids)}) if new_ids else []
    return {row.id: row.name for row in rows}


_NAME_GENRES = text("""
    INSERT INTO read_genres AS g (id, name)
    SELECT (item ->> 'id')::int, item ->> 'name'
    FROM jsonb_array_elements(CAST(:genres AS jsonb)) AS item
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


class GenresTable(PostgresProjection):
    """read_genres: names from GenresSynced, movie counts recounted then (and kept up
    by MoviesTable as movies come and go). GET /genres caches its body in Redis for a
    few seconds; a sync drops that cache."""

    name = "genres_table"
    follows = frozenset({"genre_catalog"})
    tables = frozenset({"read_genres", "read_movies"})

    def __init__(self, engine: Engine, documents: RedisDocuments):
        super().__init__(engine)
        self.documents = documents

    @handles("GenresSynced")
    def synced(self, conn: Connection, event: Envelope) -> None:
        genres = event.payload["genres"]
        conn.execute(_NAME_GENRES, {"genres": json.dumps(genres)})
        conn.execute(_UNNAME_OTHERS, {"ids": [int(g["id"]) for g in genres]})
        conn.execute(_RECOUNT_GENRES)

    def after_commit(self, envelope: Envelope, outcome: Outcome, result: Any) -> None:
        if outcome is Outcome.APPLIED:
            self.documents.redis.delete(docs.GENRES_KEY)

    def bulk_fold(self, conn: Connection, shared: dict) -> "GenresFold":
        return GenresFold(conn, shared)


class GenresFold:
    """GenresTable's bulk path. The names change in memory at once (the movies fold
    builds the next cards with them); the rows are written when the rebuild saves,
    after the movies fold (projection order), then the counts are recounted over
    read_movies as the handler does. A recount at the save gives what one at the sync
    plus the movies fold's increments would, since a movie is imported once and
    delisted once (the counts the handlers keep are then exact)."""

    def __init__(self, conn: Connection, shared: dict):
        self.conn, self.shared = conn, shared
        _genre_names(conn, shared)

    def load(self, aggregate_ids: list[str]) -> dict[str, list[dict]]:
        return {}

    def evolve(self, state: list[dict] | None, event: Envelope) -> list[dict] | None:
        if event.event_type != "GenresSynced":
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


_UPSERT_LIST = text("""
    INSERT INTO read_lists AS l (name, tmdb_ids, refreshed_at, version)
    VALUES (:name, :tmdb_ids, :refreshed_at, :version)
    ON CONFLICT (name) DO UPDATE SET tmdb_ids = EXCLUDED.tmdb_ids,
        refreshed_at = EXCLUDED.refreshed_at, version = EXCLUDED.version
""")


class ListsTable(PostgresProjection):
    """read_lists and, in Redis, the list of ids (TMDb's order from the last sync),
    replaced whole and only by a newer version."""

    name = "lists_table"
    follows = frozenset({"curated_list"})
    tables = frozenset({"read_lists"})

    def __init__(self, engine: Engine, documents: RedisDocuments):
        super().__init__(engine)
        self.documents = documents

    @handles("ListRefreshed")
    def refreshed(self, conn: Connection, event: Envelope) -> tuple[list[int], int]:
        row = list_row(event)
        conn.execute(_UPSERT_LIST, row)
        return row["tmdb_ids"], row["version"]

    def after_commit(self, envelope: Envelope, outcome: Outcome, result: Any) -> None:
        ids, version = result or self._stored(envelope.aggregate_id)
        if version:
            self.documents.put_list(docs.list_key(envelope.aggregate_id), ids, version)

    def _stored(self, name: str) -> tuple[list[int], int]:
        with self.engine.connect() as conn:
            row = conn.execute(select(read_lists.c.tmdb_ids, read_lists.c.version).where(
                read_lists.c.name == name)).first()
        return (list(row.tmdb_ids), row.version) if row else ([], 0)

    def bulk_fold(self, conn: Connection, shared: dict) -> "ListsFold":
        return ListsFold(conn)


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
    ON CONFLICT (name) DO UPDATE SET tmdb_ids = EXCLUDED.tmdb_ids,
        refreshed_at = EXCLUDED.refreshed_at, version = EXCLUDED.version
""")


class ListsFold:
    def __init__(self, conn: Connection):
        self.conn = conn

    def load(self, aggregate_ids: list[str]) -> dict[str, dict]:
        rows = self.conn.execute(_LOAD_LISTS, {"names": aggregate_ids}).mappings()
        return {row["name"]: dict(row) for row in rows}

    def evolve(self, state: dict | None, event: Envelope) -> dict | None:
        return list_row(event) if event.event_type == "ListRefreshed" else state

    def save(self, conn: Connection, states: dict[str, dict]) -> None:
        conn.execute(_SAVE_LISTS, {"rows": json_rows(list(states.values()))})
