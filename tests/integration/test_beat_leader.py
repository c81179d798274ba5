"""Exactly one beat scheduler sends: the others stand by until the leader is gone."""
import os
import signal
import subprocess
import sys
import time

from workers.beat import LeaderLock
from tests.support.env import ROOT
from tests.support.util import eventually

LOCK_ID = 990_000 + os.getpid() % 10_000


def dsn(container) -> str:
    return container.engine.url.set(drivername="postgresql").render_as_string(
        hide_password=False)


def test_only_one_lock_holder_at_a_time_and_the_standby_takes_over(container):
    leader, standby = LeaderLock(dsn(container), LOCK_ID), LeaderLock(dsn(container), LOCK_ID)
    assert leader.held()
    assert not standby.held()
    assert leader.held(), "the leader keeps its lock on later ticks"
    leader.release()
    assert standby.held()
    standby.release()


def start_beat(container, tmp_path, name: str) -> subprocess.Popen:
    env = {**os.environ, "BEAT_LOCK_ID": str(LOCK_ID + 1),
           "PATH": f"{os.path.dirname(sys.executable)}:{os.environ['PATH']}"}
    log = open(tmp_path / f"{name}.log", "wb")
    return subprocess.Popen(
        ["celery", "-A", "workers.celery_app:celery_app", "beat", "--loglevel", "INFO",
         "-s", str(tmp_path / f"{name}-schedule")], cwd=ROOT, env=env, stdout=log,
        stderr=subprocess.STDOUT, start_new_session=True)


def test_two_beat_processes_one_leads_and_the_other_takes_over(container, tmp_path):
    first = start_beat(container, tmp_path, "first")
    eventually(lambda: "now leads" in (tmp_path / "first.log").read_text(), timeout=30)
    second = start_beat(container, tmp_path, "second")
    try:
        time.sleep(3)
        assert "now leads" not in (tmp_path / "second.log").read_text()
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        eventually(lambda: "now leads" in (tmp_path / "second.log").read_text(), timeout=30)
    finally:
        for process in (first, second):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=10)
