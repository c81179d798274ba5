"""The whole pipeline under faults: relay and Celery worker as real processes."""
import os
import subprocess
import sys
import threading
import time
import uuid

from sqlalchemy import insert, select, update

from adapters.db import tables
from adapters.messaging.tables import dead_letters
from read_models.stores.tables import projection_checkpoints
from tests.support.accounts import (assert_read_models_match, expected_document, register,
                                    rename)
from tests.support.env import ROOT
from tests.support.util import eventually

USERS, RENAMES = 40, 25          # 40 registrations + 1,000 profile updates


def fully_applied(container, user_id) -> bool:
    _doc, version = expected_document(container, user_id)
    return int(container.redis.get(f"applied:user:{user_id}") or 0) >= version


def test_a_worker_killed_mid_burst_leaves_read_models_equal_to_the_write_side(
        container, pipeline):
    users = [register(container) for _ in range(USERS)]
    done = threading.Event()

    def burst():
        for n in range(RENAMES):
            for user_id in users:
                rename(container, user_id, n)
        done.set()

    writer = threading.Thread(target=burst)
    writer.start()
    eventually(lambda: sum(fully_applied(container, u) for u in users[:5]) >= 1, timeout=30)
    time.sleep(0.5)
    pipeline.worker.kill()                       # SIGKILL the worker and its pool
    assert not done.is_set(), "the burst ended before the kill: make it longer"
    time.sleep(1.0)
    pipeline.start_worker()
    writer.join(timeout=120)
    assert done.is_set()
    eventually(lambda: all(fully_applied(container, u) for u in users), timeout=120,
               interval=0.5)
    for user_id in users:
        assert_read_models_match(container, user_id)
        assert checkpoints(container, user_id) == {expected_document(container, user_id)[1]}


def checkpoints(container, user_id) -> set[int]:
    with container.engine.connect() as conn:
        return set(conn.execute(select(projection_checkpoints.c.version).where(
            projection_checkpoints.c.aggregate_id == user_id,
            projection_checkpoints.c.projection == "users_table")).scalars())


def insert_poison(container) -> str:
    """A UserRegistered the projection cannot read (no email in its payload)."""
    aggregate_id = str(uuid.uuid4())
    with container.engine.begin() as conn:
        conn.execute(insert(tables.events).values(
            event_id=str(uuid.uuid4()), event_type="UserRegistered", event_version=1,
            aggregate_type="user", aggregate_id=aggregate_id, aggregate_version=1,
            payload={"first_name": "Poison"}))
    return aggregate_id


def dead_letter_of(container, aggregate_id):
    with container.engine.connect() as conn:
        return conn.execute(select(dead_letters).where(
            dead_letters.c.aggregate_id == aggregate_id,
            dead_letters.c.subscriber == "projections")).mappings().first()


def cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{os.path.dirname(sys.executable)}:{os.environ['PATH']}"}
    return subprocess.run(["movienexus", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)


def test_a_poison_event_is_dead_lettered_while_the_events_behind_it_are_projected(
        container, pipeline):
    poison = insert_poison(container)
    behind = [register(container) for _ in range(3)]
    for user_id in behind:
        eventually(lambda: fully_applied(container, user_id), timeout=30)
        assert_read_models_match(container, user_id)
    letter = eventually(lambda: dead_letter_of(container, poison), timeout=60, interval=0.2)
    assert "KeyError" in letter["error"] and "email" in letter["error"]
    assert letter["attempts"] == container.settings.projection_max_retries + 1

    listing = cli("dead-letters", "list", "--limit", "10000")
    assert listing.returncode == 0 and str(letter["id"]) in listing.stdout

    fixed = {**letter["envelope"], "payload": {
        "email": f"fixed-{poison[:8]}@example.com", "first_name": "Fixed", "last_name": "",
        "role": "user", "created_at": "2026-01-01T00:00:00+00:00", "profile": {}}}
    with container.engine.begin() as conn:           # ops repair the data, then replay
        conn.execute(update(dead_letters).where(dead_letters.c.id == letter["id"])
                     .values(envelope=fixed))
    replay = cli("dead-letters", "replay", str(letter["id"]))
    assert replay.returncode == 0, replay.stderr
    eventually(lambda: container.redis.get(f"me:{poison}") is not None, timeout=30)
    assert dead_letter_of(container, poison)["replayed_at"] is not None
