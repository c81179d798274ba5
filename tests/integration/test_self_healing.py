"""The spine heals itself. Each fault lands in the middle of a burst of 1,000 profile
updates by 20 users; afterwards every read model (the Postgres row, the Redis document
and the checkpoint) equals the write side, with no dead letter and no operator action.
The event log is the truth: the broker is only the fast path."""
from __future__ import annotations

import os
import signal
import time
from dataclasses import replace

import pytest

from movienexus.bootstrap import Container
from read_models.queries.account_queries import me_document
from read_models.stores.document_cache import LOOKUPS
from tests.conftest import Pipeline, pipeline_env
from tests.support.accounts import assert_read_models_match
from tests.support.databases import derived, recreate_database
from tests.support.faults import (USERS, behind, drop_a_message_with_a_middle_event,
                                  no_dead_letters, own_redis, pool_processes,  # noqa: F401
                                  restart_broker, start_burst, terminate_other_connections)
from tests.support.util import eventually

HEAL_SECONDS = 30                      # the bound, not a speed figure


def assert_healed(container: Container, users: list[str]) -> None:
    eventually(lambda: not behind(container, users), timeout=HEAL_SECONDS, interval=0.2)
    for user_id in users:
        assert_read_models_match(container, user_id)
    assert no_dead_letters(container, users)


# --- the broker ----------------------------------------------------------------------

def test_the_broker_stopped_and_started_mid_burst(container, pipeline):
    burst = start_burst(container)
    restart_broker()
    burst.finish()
    assert_healed(container, burst.users)
    pipeline.relay.assert_running()
    pipeline.worker.assert_running()


# --- the workers ---------------------------------------------------------------------

def test_worker_pool_processes_killed_twice_mid_burst(container, pipeline):
    burst = start_burst(container)
    for _ in range(2):
        children = pool_processes(pipeline.worker)
        assert children, "the people worker has no pool processes"
        for pid in children:
            os.kill(pid, signal.SIGKILL)
        time.sleep(1.5)
    burst.finish()
    assert_healed(container, burst.users)
    pipeline.worker.assert_running()


def test_a_message_deleted_from_the_queue(container, pipeline, settings):
    burst = start_burst(container)
    pipeline.workers["people-worker"].stop()      # let messages wait in the queue
    time.sleep(1.0)
    dropped = drop_a_message_with_a_middle_event(settings, set(burst.users))
    pipeline.start_worker("people-worker")
    burst.finish()
    assert_healed(container, burst.users)
    assert dropped["aggregate_id"] in burst.users


# --- PostgreSQL ----------------------------------------------------------------------

def test_postgres_connections_killed_under_the_relay_and_the_workers(container, pipeline):
    burst = start_burst(container)
    killed = terminate_other_connections(container)
    time.sleep(1.0)
    killed += terminate_other_connections(container)
    burst.finish()
    assert killed >= 2
    container.engine.dispose()      # this process's own pooled connections were killed too
    assert_healed(container, burst.users)
    pipeline.relay.assert_running()
    pipeline.worker.assert_running()


# --- Redis (a server of this test's own, so restarting it disturbs nobody) ------------

@pytest.fixture(scope="module")
def redis_fault(settings, smtp, own_redis, tmp_path_factory):
    chosen = replace(derived(settings, "redis_fault", 0), redis_url=own_redis.url)
    recreate_database(chosen.database_url)
    running = Pipeline(pipeline_env(chosen, smtp.port), tmp_path_factory.mktemp("logs"))
    yield Container(chosen)
    running.stop()


def hits() -> float:
    return LOOKUPS.labels("hit")._value.get()


def test_redis_restarted_mid_burst(redis_fault, own_redis):
    container = redis_fault
    burst = start_burst(container)
    own_redis.stop()
    time.sleep(1.0)
    own_redis.start()                          # empty: it keeps nothing on disk
    burst.finish()
    for user_id in burst.users:                # documents return as they are read
        assert me_document(container.documents, container.engine, user_id) is not None
    assert_healed(container, burst.users)
    before = hits()
    for user_id in burst.users:
        me_document(container.documents, container.engine, user_id)
    assert hits() - before == USERS            # and every second read is a hit
