"""Stats, favorite counts and average ratings against a recount from the write side,
after bursts of random library writes by 50 people: projected by the real relay and
worker, with a worker SIGKILLed mid-burst, and with every event delivered twice."""
from __future__ import annotations

import json
import random
import threading
import time

import pytest

from movienexus.bootstrap import Container
from read_models.projections.framework import Outcome
from read_models.stores.library_documents import library_key
from read_models.stores.markers import applied_key
from tests.support.accounts import envelopes_of
from tests.support.library import (assert_library_matches, assert_movie_counts_match, burst,
                                   expected_stats, fully_applied, import_movies, new_users,
                                   pending_deltas, random_writes)
from tests.support.util import eventually

USERS, WRITES, MOVIES = 50, 2000, 30


def assert_everything_matches(container, users, movie_ids) -> None:
    eventually(lambda: all(fully_applied(container, u) for u in users), timeout=180,
               interval=0.5)
    eventually(lambda: pending_deltas(container) == 0, timeout=30)
    for user_id in users:
        assert_library_matches(container, user_id)
        document = json.loads(container.redis.get(library_key(user_id, "stats")) or "null")
        if document is not None:
            expected = expected_stats(container, user_id)
            del expected["recent_count"]
            assert document == expected, user_id
    assert_movie_counts_match(container, movie_ids)


@pytest.fixture(scope="module")
def movie_ids(container, pipeline):
    ids = import_movies(container, MOVIES, seed=11)
    eventually(lambda: all(container.redis.get(f"movie:card:{i}") for i in ids), timeout=60)
    return ids


def test_a_burst_of_random_writes_counts_each_write_once(container, pipeline, movie_ids):
    users = new_users(container, USERS)
    assert burst(container, users, movie_ids, WRITES) >= WRITES
    assert_everything_matches(container, users, movie_ids)


def test_a_worker_killed_mid_burst_leaves_every_count_right(container, pipeline, movie_ids):
    users = new_users(container, USERS)
    finished = threading.Event()
    writer = threading.Thread(target=lambda: (burst(container, users, movie_ids, WRITES),
                                              finished.set()))
    writer.start()
    eventually(lambda: sum(int(v or 0) for v in container.redis.mget(
        [applied_key("library", u) for u in users])) >= 200, timeout=60, interval=0.02)
    pipeline.worker.kill()
    assert not finished.is_set(), "the burst ended before the kill: make it longer"
    time.sleep(1.0)
    pipeline.start_worker()
    writer.join(timeout=180)
    assert finished.is_set()
    assert_everything_matches(container, users, movie_ids)


def test_every_event_delivered_twice_counts_once(isolated_settings):
    """In-process, on a database no worker touches: each library event is applied, then
    applied again, then the whole history once more in shuffled order."""
    container = Container(isolated_settings, request_recommendations=lambda _u: None,
                          inline_folds=True)
    movie_ids = import_movies(container, MOVIES, seed=12)
    users = new_users(container, USERS)
    start = _last_position(container)
    for movie_id in movie_ids:
        for envelope in envelopes_of(container, str(movie_id)):
            container.projection_runner.apply(envelope)
    random_writes(container, users, movie_ids, WRITES, seed=3)
    history = [e for u in users for e in envelopes_of(container, u)
               if e.aggregate_type == "library" and e.position > start]
    history.sort(key=lambda e: e.position)
    for envelope in history:
        assert container.projection_runner.apply(envelope) is Outcome.APPLIED
        assert container.projection_runner.apply(envelope) is Outcome.DUPLICATE
    random.Random(5).shuffle(history)
    assert {container.projection_runner.apply(e) for e in history} == {Outcome.DUPLICATE}
    container.movie_counters.fold_all()
    assert_everything_matches(container, users, movie_ids)


def _last_position(container) -> int:
    from tests.support.catalog import last_position
    return last_position(container)
