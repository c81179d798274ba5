"""Faults for the self-healing tests and the convergence benchmark: a burst of writes
by many people, and the stores and processes to break in the middle of it."""
from __future__ import annotations

import json
import subprocess
import threading
import time

import pytest
import redis
from kombu import Connection
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from adapters.messaging import topology
from movienexus.bootstrap import Container
from tests.support.accounts import register, rename
from tests.support.stack import free_port, worker_main_pid
from tests.support.util import eventually

USERS, ROUNDS = 20, 50                 # 20 registrations + 1,000 profile updates

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


def start_burst(container: Container) -> Burst:
    burst = Burst(container, [register(container) for _ in range(USERS)])
    burst.start()
    burst.reach(0.3)
    return burst


def rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, timeout=120)


def broker_answers() -> bool:
    return subprocess.run(["rabbitmq-diagnostics", "-q", "check_running"],
                          capture_output=True, timeout=60).returncode == 0


def restart_broker(down_seconds: float = 2.0) -> None:
    """RabbitMQ's app stopped (checked) and started again; returns once it answers."""
    try:
        rabbitmqctl("stop_app")
        assert not broker_answers(), "the broker still answers: the fault missed"
        time.sleep(down_seconds)
    finally:
        rabbitmqctl("start_app")
    eventually(broker_answers, timeout=60, interval=1)


def pool_processes(worker) -> list[int]:
    """The pool processes of a worker: the children of its Celery main process."""
    found = subprocess.run(["pgrep", "-P", str(worker_main_pid(worker))], capture_output=True,
                           text=True)
    return [int(pid) for pid in found.stdout.split()]


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
            envelopes = _envelopes_of(message)
            middle = [e for e in envelopes if e["aggregate_id"] in users
                      and 1 < e["aggregate_version"] < ROUNDS]
            if dropped is None and middle:
                message.ack()
                dropped = middle[0]
        channel.close()                        # the unacked ones return to the queue
    assert dropped is not None, "no message with a middle event was queued"
    return dropped


def _envelopes_of(message) -> list[dict]:
    """The events of a projection batch; [] for the lane's other tasks (sweeps, folds)."""
    args = json.loads(message.body)[0]
    batch = args[0] if args else None
    if not isinstance(batch, list) or not all(isinstance(e, dict) for e in batch):
        return []
    return batch


def terminate_other_connections(container: Container) -> int:
    with container.engine.connect() as conn:
        return len(conn.execute(text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()")).all())


@pytest.fixture(scope="module")
def own_redis():
    """A Redis server of the module's own (restarting or flushing it disturbs nobody)."""
    server = RedisServer().start()
    yield server
    server.stop()


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
