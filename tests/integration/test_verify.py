"""`movienexus read-models verify`: a fresh fold of the log against the live read tables
and Redis, row by row. Faithful read models verify (a cold Redis key is no difference);
a damaged row or a wrong document is named (aggregate, table, column) and the command
exits 1; nothing of the fold is left behind. A database of its own, no workers."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import text

from adapters.messaging.envelope import Envelope
from movienexus.bootstrap import Container
from read_models.stores.account_documents import me_key
from read_models.stores.library_documents import library_key
from tests.support.accounts import register, rename
from tests.support.databases import derived, recreate_database
from tests.support.env import ROOT
from tests.support.library import import_movies, new_users, random_writes

VERIFY_REDIS_OFFSET = 5


@pytest.fixture(scope="module")
def verified(settings):
    chosen = derived(settings, "verify", VERIFY_REDIS_OFFSET)
    recreate_database(chosen.database_url)
    container = Container(chosen, request_recommendations=lambda _u: None, inline_folds=True)
    container.redis.flushdb()
    movie_ids = import_movies(container, 10, seed=5)
    users = [register(container) for _ in range(3)]
    for n, user_id in enumerate(users):
        rename(container, user_id, n)
    random_writes(container, new_users(container, 4), movie_ids, 120, seed=3)
    with container.engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM events ORDER BY position")).mappings().all()
    for row in rows:
        container.projection_runner.apply(Envelope.from_row(row))
    container.movie_counters.fold_all()
    yield container
    container.engine.dispose()


def cli(container, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": container.settings.database_url,
           "REDIS_URL": container.settings.redis_url, "COLUMNS": "200",
           "PATH": f"{os.path.dirname(sys.executable)}:{os.environ['PATH']}"}
    return subprocess.run(["movienexus", "read-models", "verify", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def schemas(container) -> set[str]:
    with container.engine.connect() as conn:
        return set(conn.execute(text("SELECT nspname FROM pg_namespace")).scalars())


def test_faithful_read_models_verify(verified):
    report = verified.read_model_verify().run()
    assert report.ok, report.differences[:5]
    assert report.rows > 50 and report.documents > 20 and report.events > 60
    assert "verify" not in schemas(verified)
    done = cli(verified, "--settle", "0")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "equal a fresh fold of the log" in done.stdout


def test_a_cold_redis_key_is_no_difference(verified):
    [user_id] = verified.engine.connect().execute(text(
        "SELECT user_id::text FROM read_users LIMIT 1")).scalars().all()
    verified.redis.delete(me_key(user_id), f"{me_key(user_id)}:v")
    report = verified.read_model_verify().run()
    assert report.ok and report.cold >= 1


def test_a_damaged_row_and_a_wrong_document_are_named(verified):
    with verified.engine.begin() as conn:
        user_id, tmdb_id, rating = conn.execute(text(
            "SELECT user_id, tmdb_id, rating FROM read_favorites LIMIT 1")).one()
        conn.execute(text("UPDATE read_favorites SET rating = :r WHERE user_id = :u "
                          "AND tmdb_id = :t"), {"r": 1 if rating != 1 else 2, "u": user_id,
                                                "t": tmdb_id})
        conn.execute(text("DELETE FROM read_watchlist WHERE ctid IN "
                          "(SELECT ctid FROM read_watchlist LIMIT 1)"))
    stats_key = library_key(user_id, "stats")
    verified.redis.set(stats_key, b'{"total_favorites": -1}')
    try:
        report = verified.read_model_verify().run()
        found = {(d.where, d.table, d.column) for d in report.differences}
        assert ("table", "read_favorites", "rating") in found
        assert ("table", "read_watchlist", "(row)") in found
        assert ("redis", "library", "stats") in found
        assert any(d.aggregate == f"{user_id}/{tmdb_id}" for d in report.differences)
        failed = cli(verified, "--settle", "0")
        assert failed.returncode == 1
        assert "read_favorites" in failed.stderr and "rating" in failed.stderr
        assert "verify" not in schemas(verified)
    finally:
        verified.read_model_rebuild().run()         # the tables repaired from the log,
        verified.redis.delete(library_key(user_id, "v"))   # the library left to the next read
    assert verified.read_model_verify().run().ok
