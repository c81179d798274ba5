"""The library projection in-process, on a database of its own (rebuilt each session,
Redis db +7) that no worker touches: any delivery
order converges, Redis heals from gaps and losses, counter deltas that come before
their movie are kept for it, two folds at once take each delta once, and a read-model
rebuild reproduces every library read model."""
from __future__ import annotations

import random
import threading

import pytest
from sqlalchemy import text

from domain.library import commands
from movienexus.bootstrap import Container
from read_models.projections.framework import Outcome
from read_models.stores.library_documents import library_key
from tests.support.accounts import envelopes_of
from tests.support.databases import derived, recreate_database
from tests.support.library import (assert_library_matches, assert_movie_counts_match,
                                   import_movies, new_users, pending_deltas, random_writes)


LIBRARY_REDIS_OFFSET = 7


@pytest.fixture(scope="module")
def lab(settings):
    chosen = derived(settings, "library", LIBRARY_REDIS_OFFSET)
    recreate_database(chosen.database_url)
    container = Container(chosen, request_recommendations=lambda _u: None, inline_folds=True)
    container.redis.flushdb()
    movie_ids = import_movies(container, 12, seed=21)
    for movie_id in movie_ids:
        project(container, str(movie_id))
    return container, movie_ids


def project(container, aggregate_id: str, kind: str | None = None) -> list:
    events = [e for e in envelopes_of(container, aggregate_id)
              if kind is None or e.aggregate_type == kind]
    return [container.projection_runner.apply(e) for e in events]


def deliver_until_applied(runner, envelopes) -> None:
    pending = list(envelopes)
    for _ in range(len(pending) ** 2 + 1):
        if not pending:
            return
        event = pending.pop(0)
        if runner.apply(event) is Outcome.EARLY:
            pending.append(event)
    raise AssertionError("events never all applied")


def library_history(container, movie_ids, writes=80, seed=0) -> tuple[str, list]:
    [user] = new_users(container, 1)
    random_writes(container, [user], movie_ids, writes, seed=seed)
    return user, [e for e in envelopes_of(container, user) if e.aggregate_type == "library"]


def test_shuffled_duplicated_deliveries_converge(lab):
    container, movie_ids = lab
    user, history = library_history(container, movie_ids, seed=1)
    assert len(history) > 30
    shuffled = history * 2
    random.Random(9).shuffle(shuffled)
    deliver_until_applied(container.projection_runner, shuffled)
    container.movie_counters.fold_all()
    assert_library_matches(container, user)
    assert_movie_counts_match(container, movie_ids)


def test_a_lost_redis_write_is_healed_by_the_next_event(lab):
    container, movie_ids = lab
    user, history = library_history(container, movie_ids, seed=2)
    for envelope in history[:-5]:
        container.projection_runner.apply(envelope)
    redis = container.redis
    version = int(redis.get(library_key(user, "v")))
    redis.set(library_key(user, "v"), version - 3)  # three changes never reached Redis
    for envelope in history[-5:]:
        container.projection_runner.apply(envelope)
    assert int(redis.get(library_key(user, "v"))) == history[-1].aggregate_version
    assert_library_matches(container, user)


def test_a_flushed_library_is_refilled_by_a_redelivery(lab):
    container, movie_ids = lab
    user, history = library_history(container, movie_ids, seed=3)
    deliver_until_applied(container.projection_runner, history)
    keys = [library_key(user, p) for p in ("v", "fav", "fav-t", "wl", "wl-t", "stats")]
    container.redis.delete(*keys)
    assert container.projection_runner.apply(history[3]) is Outcome.DUPLICATE
    assert_library_matches(container, user)


def test_deltas_that_come_before_their_movie_wait_for_it(lab):
    container, _ = lab
    [late] = import_movies(container, 1, seed=22)
    user_ids = new_users(container, 3)
    for n, user in enumerate(user_ids):
        container.handle(commands.SaveFavorite(user, late, {"rating": 4 + n}))
        project(container, user, "library")
    container.movie_counters.fold_all()
    assert pending_deltas(container) >= 3, "no movie row yet: the deltas wait"
    project(container, str(late))             # the catalog lane brings the movie
    assert_movie_counts_match(container, [late])
    with container.engine.connect() as conn:
        count = conn.execute(text("SELECT favorite_count FROM read_movies WHERE tmdb_id = :i"),
                             {"i": late}).scalar()
    assert count == 3


def test_two_folds_at_once_take_each_delta_once(lab):
    container, movie_ids = lab
    users = new_users(container, 20)
    for user in users:
        for movie_id in movie_ids[:3]:
            container.handle(commands.SaveFavorite(user, movie_id, {"rating": 7}))
    # project without folding, then fold from two threads at once
    library = next(p for p in container.projection_runner.projections
                   if p.name == "library_table")
    fold_soon, library.counters.fold_soon = library.counters.fold_soon, lambda: None
    try:
        for user in users:
            project(container, user, "library")
    finally:
        library.counters.fold_soon = fold_soon
    folders = [threading.Thread(target=container.movie_counters_on(container.engine).fold_all)
               for _ in range(2)]
    for folder in folders:
        folder.start()
    for folder in folders:
        folder.join()
    assert_movie_counts_match(container, movie_ids)


def test_a_rebuild_reproduces_every_library_read_model(lab):
    container, movie_ids = lab
    users = new_users(container, 4)
    random_writes(container, users, movie_ids, 120, seed=8)
    for user in users:
        project(container, user, "library")
    container.movie_counters.fold_all()
    with container.engine.begin() as conn:   # damage the live read tables
        conn.execute(text("DELETE FROM read_favorites WHERE user_id = :u"), {"u": users[0]})
        conn.execute(text("UPDATE read_movies SET favorite_count = 999 WHERE tmdb_id = :i"),
                     {"i": movie_ids[0]})
    container.read_model_rebuild().run()
    for user in users:
        assert_library_matches(container, user)
    assert_movie_counts_match(container, movie_ids)
    random_writes(container, users, movie_ids, 40, seed=9)   # and life goes on after it
    for user in users:
        project(container, user, "library")
    for user in users:
        assert_library_matches(container, user)
    assert_movie_counts_match(container, movie_ids)
