"""The fault matrix with library writes: 20 people writing their favorites and watchlist
over HTTP (the real app in this process), the relay, both lanes' workers and beat
started from the Procfile with the first-start seeding on (so each worker's main process
runs every worker_ready handler), the faults, and the checks that every read a person
makes equals what they wrote."""
from __future__ import annotations

import os
import random
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from kombu import Connection
from sqlalchemy import text

from adapters.messaging import topology
from movienexus.bootstrap import Container
from tests.support.library import Person, expected_stats, person
from tests.support.stack import worker_main_pid
from tests.support.util import eventually

PEOPLE, MOVIES, WRITES_EACH = 20, 100, 64          # 20 × 64 = 1,280 writes
RETRYABLE = (502, 503, 504)


@dataclass
class Writer:
    """One person's writes, one after another, each retried through a 5xx as a client
    would; `favorites` and `watchlist` are what they wrote (the truth to compare with)."""

    who: Person
    movie_ids: list[int]
    rng: random.Random
    favorites: dict[int, int | None] = field(default_factory=dict)
    watchlist: dict[int, bool] = field(default_factory=dict)
    written: int = 0
    statuses: dict[int, int] = field(default_factory=dict)

    def write_all(self, count: int, done: list) -> None:
        for _ in range(count):
            self.write_one()
            done.append(1)

    def write_one(self) -> None:
        movie = self.rng.choice(self.movie_ids)
        roll = self.rng.random()
        if roll < 0.55:
            self._favorite(movie)
        else:
            self._watchlist(movie)
        self.written += 1

    def _favorite(self, movie: int) -> None:
        path = f"/me/favorites/{movie}"
        if movie in self.favorites and self.rng.random() < 0.45:
            self._send("delete", path, None, (204,))
            del self.favorites[movie]
            return
        rating = self.rng.choice([None, *range(1, 11)])      # add, re-add or re-rate
        self._send("put", path, {"rating": rating}, (200, 201))
        self.favorites[movie] = rating

    def _watchlist(self, movie: int) -> None:
        path = f"/me/watchlist/{movie}"
        if movie in self.watchlist and self.rng.random() < 0.4:
            self._send("delete", path, None, (204,))
            del self.watchlist[movie]
            return
        watched = movie in self.watchlist and not self.watchlist[movie]
        self._send("put", path, {"watched": True} if watched else {}, (200, 201))
        self.watchlist[movie] = watched or self.watchlist.get(movie, False)

    def _send(self, method: str, path: str, body, ok: tuple[int, ...]) -> None:
        for _ in range(600):
            response = (self.who.delete(path) if method == "delete"
                        else self.who.put(path, body))
            self.statuses[response.status_code] = self.statuses.get(response.status_code,
                                                                     0) + 1
            if response.status_code in ok:
                return
            assert response.status_code in RETRYABLE, \
                f"{method} {path}: {response.status_code} {response.get_data(as_text=True)}"
            time.sleep(0.1)
        raise AssertionError(f"{method} {path} never succeeded")


class LibraryBurst:
    """PEOPLE writers at once, WRITES_EACH writes each."""

    def __init__(self, app, movie_ids: list[int], seed: int):
        self.writers = [Writer(person(app), movie_ids, random.Random(seed * 1000 + n))
                        for n in range(PEOPLE)]
        self.done: list[int] = []
        self.threads = [threading.Thread(target=w.write_all, args=(WRITES_EACH, self.done),
                                         daemon=True) for w in self.writers]

    def start(self) -> "LibraryBurst":
        for thread in self.threads:
            thread.start()
        return self

    @property
    def total(self) -> int:
        return PEOPLE * WRITES_EACH

    def reach(self, share: float) -> None:
        eventually(lambda: len(self.done) >= share * self.total, timeout=300, interval=0.05)

    def finish(self) -> None:
        for thread in self.threads:
            thread.join(timeout=600)
        assert sum(w.written for w in self.writers) == self.total


# --- what a person reads back ----------------------------------------------------------

def _all_pages(who: Person, path: str) -> tuple[list[dict], set[str]]:
    items, consistency, page = [], set(), 1
    while True:
        response = who.get(f"{path}?page={page}&page_size=100")
        assert response.status_code == 200, (path, response.status_code)
        consistency.add(response.headers.get("X-Consistency", ""))
        body = response.get_json()
        items += body["items"]
        if page >= body["total_pages"]:
            return items, consistency
        page += 1


def reads_match(container: Container, writer: Writer, sample: list[int]) -> bool:
    """/me/favorites, /me/watchlist, /me/stats and the detail's `me` block equal what the
    person wrote (and the write side); no read answered stale."""
    who = writer.who
    favorites, seen = _all_pages(who, "/me/favorites")
    assert {i["movie"]["tmdb_id"]: i["rating"] for i in favorites} == writer.favorites
    watchlist, seen_too = _all_pages(who, "/me/watchlist")
    assert {i["movie"]["tmdb_id"]: i["watched"] for i in watchlist} == writer.watchlist
    stats = who.get("/me/stats")
    assert stats.status_code == 200
    assert stats.get_json() == expected_stats(container, who.user_id)
    assert "stale" not in seen | seen_too | {stats.headers.get("X-Consistency", "")}
    for tmdb_id in sample:
        detail = who.get(f"/movies/{tmdb_id}")
        assert detail.status_code == 200
        me = detail.get_json()["me"]
        assert (me["favorite"], me["rating"]) == (tmdb_id in writer.favorites,
                                                  writer.favorites.get(tmdb_id))
        assert (me["in_watchlist"], me["watched"]) == (tmdb_id in writer.watchlist,
                                                       writer.watchlist.get(tmdb_id, False))
    return True


def dead_letters(container: Container) -> int:
    with container.engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM dead_letters")).scalar_one()


# --- the faults ---------------------------------------------------------------------------

def pool_processes(worker) -> list[int]:
    """The pool processes of a worker: the children of its Celery main process."""
    import subprocess
    found = subprocess.run(["pgrep", "-P", str(worker_main_pid(worker))], capture_output=True,
                           text=True)
    return [int(pid) for pid in found.stdout.split()]


def kill_pool_processes(worker) -> list[int]:
    children = pool_processes(worker)
    assert children, f"{worker.name} has no pool processes"
    for pid in children:
        os.kill(pid, signal.SIGKILL)
    eventually(lambda: set(pool_processes(worker)) - set(children), timeout=60, interval=0.1)
    return children


def pause(workers, paused: bool) -> None:
    for worker in workers:
        os.killpg(worker.popen.pid, signal.SIGSTOP if paused else signal.SIGCONT)


def purge_lane_queues(settings) -> int:
    """Deletes every message waiting in both lanes' projection queues; how many."""
    purged = 0
    with Connection(settings.broker_url) as conn:
        channel = conn.channel()
        for lane in topology.LANES:
            name = topology.lane_queue_name(settings.amqp_namespace, lane)
            queue = next(q for q in topology.queues(settings.amqp_namespace)
                         if q.name == name)(channel)
            purged += queue.purge() or 0
        channel.close()
    return purged


# --- the evidence for "nothing crosses a fork" ------------------------------------------------

def postgres_sockets(pid: int, port: int = 5432) -> set[int]:
    """The inodes of the TCP sockets to PostgreSQL that a process holds open."""
    remote = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            parts = line.split()
            if len(parts) > 9 and int(parts[2].rsplit(":", 1)[1], 16) == port:
                remote.add(int(parts[9]))
    held = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inode = int(target[8:-1])
            if inode in remote:
                held.add(inode)
    return held
