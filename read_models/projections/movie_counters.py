"""favorite_count and average_user_rating per movie: counters over many people's libraries.

Each favorite event inserts one delta row (in the library projection's statements, see
read_models/library.py) in the same transaction as that projection's checkpoint, so it
counts exactly once, and no writer ever waits on the row of a popular movie. A fold
moves the deltas into read_movies (favorite_count, rating_sum, rating_count, the card
and detail JSON) in one statement and copies the changed documents to Redis.

A fold is asked for after each favorite event commits. In the workers the ask is
debounced (a `DebouncedAsk` of the fold task): the first ask sends one fold task a
moment later and later asks find it pending, so a burst of events costs a few folds,
not one per event; the task clears its flag before it reads, so a delta committed after
that asks again. In a process of its own (a rebuild, tests, the CLI) the fold runs at
once, by whoever takes the fold lock; one who finds it taken leaves its delta to the
holder, who looks again after releasing it. Correctness needs no lock: deltas are taken
with SKIP LOCKED and deleted in the fold's transaction, so two folds never take the same
one. Deltas of a movie the catalog lane has not projected yet wait for it (MoviesTable
takes them in when the movie arrives: early_deltas).

The documents' version is (movie version, counts_seq): counts_seq counts the deltas
folded in, so it only grows and a replay of the event log reaches the same value.
"""
from __future__ import annotations

import logging
import uuid
from typing import Callable

from sqlalchemy import Connection, Engine, text

from read_models.stores import movie_documents as docs
from read_models.stores.redis_docs import RedisDocuments

log = logging.getLogger(__name__)

FOLD_BATCH = 5000
LOCK_SECONDS = 10

_AVERAGE = "round((m.rating_sum + s.rating_sum)::numeric / (m.rating_count + s.ratings), 2)"
_FOLD = text(f"""
    WITH taken AS (
        DELETE FROM read_movie_counter_deltas d WHERE d.id IN (
            SELECT p.id FROM read_movie_counter_deltas p
            JOIN read_movies r ON r.tmdb_id = p.tmdb_id
            ORDER BY p.id LIMIT :batch FOR UPDATE OF p SKIP LOCKED)
        RETURNING d.tmdb_id, d.favorites, d.rating_sum, d.ratings),
    summed AS (
        SELECT tmdb_id, sum(favorites)::int AS favorites, sum(rating_sum)::bigint AS rating_sum,
               sum(ratings)::int AS ratings, count(*)::int AS n
        FROM taken GROUP BY tmdb_id),
    locked AS (
        SELECT r.tmdb_id FROM read_movies r JOIN summed USING (tmdb_id)
        ORDER BY r.tmdb_id FOR UPDATE OF r)
    UPDATE read_movies m SET
        favorite_count = m.favorite_count + s.favorites,
        rating_sum = m.rating_sum + s.rating_sum,
        rating_count = m.rating_count + s.ratings,
        counts_seq = m.counts_seq + s.n,
        card = jsonb_set(m.card, '{{favorite_count}}', to_jsonb(m.favorite_count + s.favorites)),
        detail = jsonb_set(jsonb_set(m.detail, '{{favorite_count}}',
                                     to_jsonb(m.favorite_count + s.favorites)),
                           '{{average_user_rating}}',
                           CASE WHEN m.rating_count + s.ratings > 0
                                THEN to_jsonb(({_AVERAGE})::float8) ELSE 'null'::jsonb END)
    FROM summed s JOIN locked l USING (tmdb_id)
    WHERE m.tmdb_id = s.tmdb_id
    RETURNING m.tmdb_id, m.card, m.detail, m.delisted, m.version, m.counts_seq
""")
_PENDING = text("""
    SELECT EXISTS (SELECT 1 FROM read_movie_counter_deltas d
                   JOIN read_movies r ON r.tmdb_id = d.tmdb_id)
""")
# Deltas that came before their movie did (their ids are deleted when it is saved).
_EARLY = text("""
    SELECT tmdb_id, id, favorites, rating_sum, ratings FROM read_movie_counter_deltas
    WHERE tmdb_id = ANY(CAST(:ids AS integer[])) ORDER BY id FOR UPDATE
""")
_DROP = text("DELETE FROM read_movie_counter_deltas WHERE id = ANY(CAST(:ids AS bigint[]))")
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def fold_rows(engine: Engine) -> list:
    """Folds what is pending (up to FOLD_BATCH deltas) in the tables only; returns the
    changed read_movies rows (`read-models verify` folds its fresh tables with it)."""
    with engine.begin() as conn:
        return conn.execute(_FOLD, {"batch": FOLD_BATCH}).mappings().all()


def early_deltas(conn: Connection, tmdb_ids: list[int]
                 ) -> dict[int, tuple[int, int, int, tuple[int, ...]]]:
    """Deltas of these movies that came before the movie did (the movies fold takes
    them into the row it imports): {tmdb_id: (favorites, rating_sum, ratings, ids)};
    locked until the transaction ends."""
    found: dict[int, tuple[int, int, int, tuple[int, ...]]] = {}
    for row in conn.execute(_EARLY, {"ids": tmdb_ids}):
        favorites, rating_sum, ratings, ids = found.get(row.tmdb_id, (0, 0, 0, ()))
        found[row.tmdb_id] = (favorites + row.favorites, rating_sum + row.rating_sum,
                              ratings + row.ratings, ids + (row.id,))
    return found


def drop_deltas(conn: Connection, ids: list[int]) -> None:
    """The deltas a saved movie took in."""
    if ids:
        conn.execute(_DROP, {"ids": ids})


class MovieCounters:
    def __init__(self, engine: Engine, documents: RedisDocuments, lock_key: str,
                 request: Callable[[], None] | None = None):
        """`request`: how a fold is asked for (None: fold at once, here)."""
        self.engine, self.documents, self.lock_key = engine, documents, lock_key
        self.request = request
        self._release = documents.redis.register_script(_RELEASE)

    def fold_soon(self) -> None:
        """After a delta committed."""
        if self.request is not None:
            self.request()
        else:
            self.fold_now()

    def fold_now(self) -> None:
        """Folds unless another process is folding (it will look again when done)."""
        while self._locked_fold():
            if not self.pending():
                return

    def fold(self) -> int:
        """Folds what is pending (up to FOLD_BATCH deltas); returns how many movies
        changed."""
        rows = fold_rows(self.engine)
        puts = []
        for row in rows:
            if row["delisted"]:
                continue
            version = docs.document_version(row["version"], row["counts_seq"])
            puts += [(docs.card_key(row["tmdb_id"]), docs.dump(row["card"]), version),
                     (docs.detail_key(row["tmdb_id"]), docs.dump(row["detail"]), version)]
        self.documents.put_many(puts)
        return len(rows)

    def fold_all(self) -> None:
        while self.fold():
            pass

    def pending(self) -> bool:
        with self.engine.connect() as conn:
            return bool(conn.execute(_PENDING).scalar())

    def _locked_fold(self) -> bool:
        token = uuid.uuid4().hex
        if not self.documents.redis.set(self.lock_key, token, nx=True, ex=LOCK_SECONDS):
            return False
        try:
            self.fold_all()
        finally:
            self._release(keys=[self.lock_key], args=[token])
        return True
