"""The spine heals itself. Each fault lands in the middle of a burst of 1,000 profile
updates by 20 users; afterwards every read model (the Postgres row, the Redis document
and the checkpoint) equals the write side, with no dead letter and no operator action.
The event log is the truth: the broker is only the fast path."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from dataclasses import replace

import pytest
import redis
from kombu import Connection
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from adapters.messaging import topology
from movienexus.bootstrap import Container
from read_models.account_queries import me_document
from read_models.document_cache import LOOKUPS
from tests.conftest import Pipeline, pipeline_env
from tests.support.accounts import assert_read_models_match, register, rename
from tests.support.databases import derived, recreate_database
from tests.support.stack import free_port
from tests.support.util import eventually

USERS, ROUNDS = 20, 50                 # 20 registrations + 1,000 profile updates
HEAL_SECONDS = 30                      # the bound, not a speed figure


class Burst(threading.Thread):
    """Writes ROUNDS renames of each user, like clients that retry a failed request."""

    def __init__(self, container: Container, users: list[str]):
        super().__init__(daemon=True)
        self.container, self.users, self.written = container, users, 0

    def run(self) -> None:
        for n in range(ROUNDS):
            for user_id in self.users:
                self._write(user_id, n)
                self.written += 1

    def _write(self, user_id: str, n: int) -> None:
        for _ in range(200):
            try:
                return rename(self.container, user_id, n)
            except OperationalError:             # the database dropped us: retry
                time.sleep(0.05)
        raise AssertionError("the database never came back")

    def reach(self, share: float) -> None:
        eventually(lambda: self.written >= share * USERS * ROUNDS, timeout=120,
                   interval=0.02)

    def finish(self) -> None:
        self.join(timeout=300)
        assert not self.is_alive() and self.written == USERS * ROUNDS


_STATE = text("""
    SELECT u.id::text AS user_id, u.version, r.version AS read_version,
           c.version AS checkpoint
    FROM users u
    LEFT JOIN read_users r ON r.user_id = u.id
    LEFT JOIN projection_checkpoints c
           ON c.projection = 'users_table' AND c.aggregate_id = u.id::text
    WHERE u.id = ANY(CAST(:ids AS uuid[]))
""")


def behind(container: Container, users: list[str]) -> list[str]:
    """Users whose read row, checkpoint or Redis document is not at the write version."""
    with container.engine.connect() as conn:
        rows = conn.execute(_STATE, {"ids": users}).all()
    cached = container.redis.mget([f"me:{row.user_id}:v" for row in rows])
    return [row.user_id for row, redis_version in zip(rows, cached)
            if not (row.version == row.read_version == row.checkpoint
                    == int(redis_version or 0))]


def no_dead_letters(container: Container, users: list[str]) -> bool:
    with container.engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM dead_letters WHERE aggregate_id = "
                                 "ANY(:ids)"), {"ids": users}).scalar_one() == 0


def assert_healed(container: Container, users: list[str]) -> None:
    eventually(lambda: not behind(container, users), timeout=HEAL_SECONDS, interval=0.2)
    for user_id in users:
        assert_read_models_match(container, user_id)
    assert no_dead_letters(container, users)


def start_burst(container: Container) -> Burst:
    burst = Burst(container, [register(container) for _ in range(USERS)])
    burst.start()
    burst.reach(0.3)
    return burst


# --- the broker ----------------------------------------------------------------------

def rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, timeout=120)


def broker_answers() -> bool:
    return subprocess.run(["rabbitmq-diagnostics", "-q", "check_running"],
                          capture_output=True, timeout=60).returncode == 0


def test_the_broker_stopped_and_started_mid_burst(container, pipeline):
    burst = start_burst(container)
    try:
        rabbitmqctl("stop_app")
        time.sleep(2)
    finally:
        rabbitmqctl("start_app")
    eventually(broker_answers, timeout=60, interval=1)
    burst.finish()
    assert_healed(container, burst.users)
    pipeline.relay.assert_running()
    pipeline.worker.assert_running()


# --- the workers ---------------------------------------------------------------------

def pool_processes(worker) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(worker.popen.pid)], capture_output=True,
                           text=True)
    return [int(pid) for pid in found.stdout.split()]


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


def drop_a_message_with_a_middle_event(settings, users: set[str]) -> dict:
    """Takes every message off the people queue, acks (deletes) the first one that
    carries a middle event of one of `users`, and lets the others go back."""
    name = topology.queue_name(settings.amqp_namespace, topology.projection_queue("people"))
    with Connection(settings.broker_url) as conn:
        channel = conn.channel()
        queue = next(q for q in topology.queues(settings.amqp_namespace)
                     if q.name == name)(channel)
        dropped = None
        while (message := queue.get(no_ack=False)) is not None:
            envelopes = json.loads(message.body)[0][0]
            middle = [e for e in envelopes if e["aggregate_id"] in users
                      and 1 < e["aggregate_version"] < ROUNDS]
            if dropped is None and middle:
                message.ack()
                dropped = middle[0]
        channel.close()                        # the unacked ones return to the queue
    assert dropped is not None, "no message with a middle event was queued"
    return dropped


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

def terminate_other_connections(container: Container) -> int:
    with container.engine.connect() as conn:
        return len(conn.execute(text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()")).all())


def test_postgres_connections_killed_under_the_relay_and_the_workers(container, pipeline):
    burst = start_burst(container)
    killed = terminate_other_connections(container)
    time.sleep(1.0)
    killed += terminate_other_connections(container)
    burst.finish()
    assert killed >= 2
    assert_healed(container, burst.users)
    pipeline.relay.assert_running()
    pipeline.worker.assert_running()


# --- Redis (a server of this test's own, so restarting it disturbs nobody) ------------

class RedisServer:
    def __init__(self):
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
             "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        eventually(self._answers, timeout=20, interval=0.1)
        return self

    def _answers(self) -> bool:
        try:
            return redis.Redis.from_url(self.url).ping()
        except redis.RedisError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)


@pytest.fixture(scope="module")
def own_redis():
    server = RedisServer().start()
    yield server
    server.stop()


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

