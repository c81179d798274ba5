"""Projections of the catalog events: read_movies (+ Redis cards and details),
read_lists (+ Redis id lists) and read_genres.

Each commits its rows with its checkpoint; after the commit, the documents it wrote
go to Redis, each only if newer than what Redis holds. A duplicate delivery copies
the stored row to Redis again, so a lost Redis write heals itself.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, Engine, select, text

from read_models import movie_documents as docs
from read_models.catalog_tables import read_lists, read_movies
from read_models.envelope import Envelope
from read_models.framework import Outcome, PostgresProjection, handles
from read_models.movie_counters import take_pending
from read_models.redis_docs import RedisDocuments

_SEARCH_VECTOR = """
    setweight(to_tsvector('simple', unaccent(:title)), 'A')
    || setweight(to_tsvector('simple', unaccent(:original_title)), 'B')
    || setweight(to_tsvector('english', unaccent(:overview)), 'C')"""

_UPSERT_MOVIE = text(f"""
    INSERT INTO read_movies AS m (tmdb_id, fields, card, detail, title, original_title,
        overview, search, popularity, vote_average, vote_count, release_date, year,
        original_language, genre_ids, delisted, favorite_count, rating_sum, rating_count,
        counts_seq, detail_complete, version)
    VALUES (:tmdb_id, CAST(:fields AS jsonb), CAST(:card AS jsonb), CAST(:detail AS jsonb),
        :title, :original_title, :overview, {_SEARCH_VECTOR}, :popularity, :vote_average,
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


def _row(fields: dict, genre_names: dict[int, str], counts: Counts, delisted: bool,
         complete: bool, version: int) -> tuple[dict, list[Put]]:
    """The read_movies row of a movie, and the Redis documents that go with it."""
    card = docs.card(fields, genre_names, counts.favorite_count)
    detail = docs.detail(fields, genre_names, counts.favorite_count,
                         docs.average_rating(counts.rating_sum, counts.rating_count))
    row = {
        "tmdb_id": fields["tmdb_id"], "fields": docs.dump(fields), "card": docs.dump(card),
        "detail": docs.dump(detail), "title": fields["title"],
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
        if outcome is Outcome.EARLY:
            return
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

    def after_commit(self, envelope: Envelope, outcome: Outcome, result: Any) -> None:
        super().after_commit(envelope, outcome, result)
        if outcome is Outcome.APPLIED:
            self.documents.redis.incr(docs.CATALOG_GENERATION_KEY)

    @handles("MovieImported")
    def imported(self, conn: Connection, event: Envelope) -> list[Put]:
        fields = {k: v for k, v in event.payload.items() if k != "detail_complete"}
        names = _count_genres(conn, fields["genre_ids"], +1)
        early = take_pending(conn, fields["tmdb_id"])
        counts = Counts(early.favorites, early.rating_sum, early.ratings, early.n)
        row, puts = _row(fields, names, counts, False, event.payload["detail_complete"],
                         event.aggregate_version)
        conn.execute(_UPSERT_MOVIE, row)
        return puts

    @handles("MovieUpdated")
    def updated(self, conn: Connection, event: Envelope) -> list[Put]:
        current = conn.execute(_CURRENT_MOVIE, {"tmdb_id": int(event.aggregate_id)}).one()
        changes = event.payload["changes"]
        fields = {**current.fields, **{k: v for k, v in changes.items()
                                       if k in current.fields}}
        delisted = changes.get("delisted", current.delisted)
        names = _recount(conn, current.fields["genre_ids"], current.delisted,
                         fields["genre_ids"], delisted)
        counts = Counts(current.favorite_count, current.rating_sum, current.rating_count,
                        current.counts_seq)
        complete = changes.get("detail_complete", current.detail_complete)
        row, puts = _row(fields, names, counts, delisted, complete, event.aggregate_version)
        conn.execute(_UPSERT_MOVIE, row)
        return puts

    @handles("MovieDelisted")
    def delisted(self, conn: Connection, event: Envelope) -> list[Put]:
        row = conn.execute(text(
            "UPDATE read_movies SET delisted = true, version = :version "
            "WHERE tmdb_id = :tmdb_id RETURNING genre_ids, counts_seq, detail_complete"),
            {"tmdb_id": int(event.aggregate_id), "version": event.aggregate_version}).one()
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
        if row is None:
            return []
        puts = _movie_puts(row["tmdb_id"], docs.dump(row["card"]), docs.dump(row["detail"]),
                           row["delisted"], row["detail_complete"],
                           docs.document_version(row["version"], row["counts_seq"]))
        return puts + [Put(docs.relations_key(kind, aggregate_id), docs.dump(row[kind]),
                           row["version"]) for kind in ("recommendations", "similar")]


def _count_genres(conn: Connection, genre_ids: list[int], delta: int) -> dict[int, str]:
    if not genre_ids:
        return {}
    rows = conn.execute(_COUNT_GENRES, {"ids": sorted(set(genre_ids)), "delta": delta})
    return {row.id: row.name for row in rows}


def _recount(conn: Connection, old_ids: list[int], was_delisted: bool, new_ids: list[int],
             delisted: bool) -> dict[int, str]:
    """Moves the genre counts from the old state to the new; returns the new names."""
    before = set() if was_delisted else set(old_ids)
    after = set() if delisted else set(new_ids)
    _count_genres(conn, sorted(before - after), -1)
    _count_genres(conn, sorted(after - before), +1)
    rows = conn.execute(_GENRE_NAMES, {"ids": list(new_ids)}) if new_ids else []
    return {row.id: row.name for row in rows}


_NAME_GENRES = text("""
    INSERT INTO read_genres AS g (id, name)
    SELECT (item ->> 'id')::int, item ->> 'name'
    FROM jsonb_array_elements(CAST(:genres AS jsonb)) AS item
    ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name
""")
_UNNAME_OTHERS = text("UPDATE read_genres SET name = '' WHERE NOT (id = ANY(:ids))")
_RECOUNT_GENRES = text("""
    UPDATE read_genres g SET movie_count = (
        SELECT count(*) FROM read_movies m
        WHERE m.genre_ids @> ARRAY[g.id] AND NOT m.delisted)
""")


class GenresTable(PostgresProjection):
    """read_genres: names from GenresSynced, movie counts recounted then (and kept up
    by MoviesTable as movies come and go). GET /genres caches its body in Redis for a
    few seconds; a sync drops that cache."""

    name = "genres_table"
    follows = frozenset({"genre_catalog"})

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

    def __init__(self, engine: Engine, documents: RedisDocuments):
        super().__init__(engine)
        self.documents = documents

    @handles("ListRefreshed")
    def refreshed(self, conn: Connection, event: Envelope) -> tuple[list[int], int]:
        p = event.payload
        conn.execute(_UPSERT_LIST, {"name": event.aggregate_id, "tmdb_ids": p["tmdb_ids"],
                                    "refreshed_at": p["refreshed_at"],
                                    "version": event.aggregate_version})
        return p["tmdb_ids"], event.aggregate_version

    def after_commit(self, envelope: Envelope, outcome: Outcome, result: Any) -> None:
        if outcome is Outcome.EARLY:
            return
        ids, version = result or self._stored(envelope.aggregate_id)
        if version:
            self.documents.put_list(docs.list_key(envelope.aggregate_id), ids, version)

    def _stored(self, name: str) -> tuple[list[int], int]:
        with self.engine.connect() as conn:
            row = conn.execute(select(read_lists.c.tmdb_ids, read_lists.c.version).where(
                read_lists.c.name == name)).first()
        return (list(row.tmdb_ids), row.version) if row else ([], 0)
