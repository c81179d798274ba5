"""Fills Redis from the Postgres read tables: after a rebuild, or a cold Redis.

Every document goes through the same version-gated scripts as the projections'
(pipelined, a thousand a round trip), so a copy read from the tables never replaces
a newer one a worker has just written. Also raised: each aggregate's `applied:`
marker (from the checkpoints), the blocklist keys of sessions revoked within a
refresh token's lifetime, and the catalog generation (so no cached search page
outlives the tables it was computed from).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterable, Iterator, Sequence

from sqlalchemy import Connection, Engine, func, select

from adapters.revocations import LiveSessions
from read_models.projections.catalog import puts_of_stored_movie
from read_models.projections.framework import Projection, no_cyclic_gc
from read_models.stores import movie_documents as docs
from read_models.stores.account_documents import dump, me_key
from read_models.stores.catalog_tables import read_lists, read_movies
from read_models.stores.markers import applied_key
from read_models.stores.redis_docs import RedisDocuments
from read_models.stores.tables import projection_checkpoints, read_sessions, read_users

BATCH = 1000
Progress = Callable[[int], None]


@dataclass(frozen=True)
class Warmed:
    rows: int          # read-table rows copied
    written: int       # Redis documents that were missing or older, and were written


def rows_to_warm(engine: Engine) -> int:
    """The `total` of a progress bar over `warm`."""
    with engine.connect() as conn:
        return sum(conn.execute(select(func.count()).select_from(table)).scalar_one()
                   for table in (read_users, read_movies, read_lists))


def warm(engine: Engine, documents: RedisDocuments, projections: Sequence[Projection] = (),
         progress: Progress = lambda _n: None,
         blocklist: LiveSessions | None = None) -> Warmed:
    rows = written = 0
    with no_cyclic_gc(), engine.connect() as conn:
        for puts, lists, read in stored_documents(conn):
            written += documents.put_many(puts) if puts else 0
            written += documents.put_lists(lists) if lists else 0
            rows += read
            progress(read)
        if projections:
            _raise_markers(conn, documents, projections)
        if blocklist is not None:
            _reassert_revocations(conn, blocklist)
    documents.redis.incr(docs.CATALOG_GENERATION_KEY)
    documents.redis.delete(docs.GENRES_KEY)
    return Warmed(rows, written)


Put = tuple[str, "str | bytes", int]           # (key, document, version)
PutList = tuple[str, list[int], int]          # (key, ids, version)


def stored_documents(conn: Connection) -> Iterator[tuple[list[Put], list[PutList], int]]:
    """The Redis documents the read tables hold (the /me documents, the movies' cards,
    details and relations, the curated lists), in batches: (documents, id lists, rows
    read). What `warm` writes, and what `read-models verify` expects Redis to hold."""
    for batch in _batches(conn, select(read_users.c.user_id, read_users.c.doc,
                                       read_users.c.version)):
        yield [(me_key(r.user_id), dump(r.doc), r.version) for r in batch], [], len(batch)
    for batch in _batches(conn, select(read_movies.c.tmdb_id, read_movies.c.card,
                                       read_movies.c.detail, read_movies.c.delisted,
                                       read_movies.c.recommendations,
                                       read_movies.c.similar, read_movies.c.version,
                                       read_movies.c.detail_complete,
                                       read_movies.c.counts_seq)):
        puts = [(p.key, p.document, p.version) for r in batch
                for p in puts_of_stored_movie(r._mapping)
                if p.document != "[]"]     # relations never refreshed (as live)
        yield puts, [], len(batch)
    for batch in _batches(conn, select(read_lists.c.name, read_lists.c.tmdb_ids,
                                       read_lists.c.version)):
        yield [], [(docs.list_key(r.name), list(r.tmdb_ids), r.version) for r in batch], \
            len(batch)


def _batches(conn: Connection, query) -> Iterator[list]:
    result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(query)
    for partition in result.partitions():
        yield list(partition)


def _raise_markers(conn: Connection, documents: RedisDocuments,
                   projections: Iterable[Projection]) -> None:
    """An aggregate's `applied:` marker is the version every projection following its
    type has (the runner's rule); projections following several types are skipped."""
    follows = {p.name: next(iter(p.follows)) for p in projections if len(p.follows) == 1}
    followers: dict[str, int] = defaultdict(int)
    for kind in follows.values():
        followers[kind] += 1
    seen: dict[tuple[str, str], list[int]] = defaultdict(list)
    query = select(projection_checkpoints).where(
        projection_checkpoints.c.projection.in_(list(follows)))
    for batch in _batches(conn, query):
        for row in batch:
            seen[(follows[row.projection], row.aggregate_id)].append(row.version)
    markers = {applied_key(kind, aggregate_id): min(versions)
               for (kind, aggregate_id), versions in seen.items()
               if len(versions) == followers[kind]}
    keys = list(markers)
    for start in range(0, len(keys), BATCH):
        documents.raise_to({key: markers[key] for key in keys[start:start + BATCH]})


def _reassert_revocations(conn: Connection, blocklist: LiveSessions) -> None:
    since = datetime.now(timezone.utc) - timedelta(seconds=blocklist.ttl)
    query = select(read_sessions.c.session_id).where(read_sessions.c.revoked_at > since)
    for batch in _batches(conn, query):
        blocklist.assert_revoked_all(str(r.session_id) for r in batch)
