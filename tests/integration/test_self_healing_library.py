"""The library heals itself. 20 people make 1,280 library writes over HTTP (add, re-rate,
remove and re-add of the same movies; watchlist add, watched, remove) while the workers,
the broker, the queues and the database connections are broken under them. The relay,
both lanes' workers and beat are started afresh for every test, as the Procfile starts
them, with the first-start seeding on (so every worker's main process has run each
worker_ready handler, the state in which a connection crossed a fork). Afterwards, within
30 s and with no operator: the workers bring every library to its last version; each
person's /me/favorites, /me/watchlist, /me/stats and the detail's `me` block equal what
they wrote; the movie counters equal the recount; there is no dead letter; and
`movienexus read-models verify` exits 0.

`COMBINED_FAULT_RUNS=N` runs the all-faults-at-once test N times, each on fresh workers
(the defect showed on the first fault after a start); `FAULT_FIGURES=path` appends each
run's figures (heal time, dead letters) there as JSON lines."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import replace

import pytest
from sqlalchemy import text

from api import create_app
from domain.catalog.commands import ImportMovie
from movienexus.bootstrap import Container
from tests.conftest import Pipeline, pipeline_env
from tests.support.databases import recreate_database
from tests.support.env import ROOT
from tests.support.faults import (own_redis, restart_broker,  # noqa: F401
                                  terminate_other_connections)
from tests.support.fixtures_tmdb import tmdb_server  # noqa: F401
from tests.support.library import (assert_movie_counts_match, person, served_movies)
from tests.support.library_faults import (MOVIES, LibraryBurst, Writer, dead_letters,
                                          kill_pool_processes, pause, pool_processes,
                                          postgres_sockets, purge_lane_queues, reads_match)
from tests.support.stack import restarts, worker_main_pid
from tests.support.util import eventually
from tmdb_server import shapes

HEAL_SECONDS = 30                      # the bound, not a speed figure
COMBINED_RUNS = int(os.environ.get("COMBINED_FAULT_RUNS", "1"))


@pytest.fixture(scope="module")
def lab(settings, own_redis, tmdb_server):  # noqa: F811
    chosen = replace(settings, database_url=f"{settings.database_url}_library_faults",
                     redis_url=own_redis.url, tmdb_base_url_raw=tmdb_server.base_url,
                     amqp_namespace=f"{settings.amqp_namespace}_library_faults",
                     recommendations_delay_seconds=30.0)     # as the workers here
    recreate_database(chosen.database_url)
    container = Container(chosen)
    movies = served_movies()[:MOVIES]
    for movie in movies:                 # complete, so no write waits on TMDb
        commit = container.handle(ImportMovie(shapes.detail(movie), complete=True)).commit
        if commit.last_position:
            container.projection_runner.catch_up("movie", str(movie.id))
    return container, [m.id for m in movies]


@pytest.fixture(scope="module")
def app(lab):
    return create_app(container=lab[0])


@pytest.fixture
def stack(lab, smtp, tmp_path, tmdb_server):  # noqa: F811
    """Fresh workers for each test, as `make run` starts them, seeding on."""
    container, _ = lab
    env = {**pipeline_env(container.settings, smtp.port), "SEED_EMPTY_CATALOG": "true",
           "TMDB_BASE_URL": tmdb_server.base_url, "CATALOG_WORKER_CONCURRENCY": "2",
           "RECOMMENDATIONS_DELAY_SECONDS": "30"}
    running = Pipeline(env, tmp_path)
    for worker in running.workers.values():   # every worker_ready handler ran, seeding on
        eventually(lambda: "first-start check" in worker.log_path.read_text(errors="replace"),
                   timeout=30, interval=0.1)
    yield running
    running.stop()


# --- the checks ---------------------------------------------------------------------------

_BEHIND = text("""
    SELECT count(*) FROM libraries l
    LEFT JOIN projection_checkpoints c
           ON c.projection = 'library_table' AND c.aggregate_id = l.id
    WHERE l.id = ANY(:ids) AND coalesce(c.version, 0) < l.version
""")


def libraries_behind(container: Container, users: list[str]) -> int:
    """Libraries whose checkpoint (or Redis copy) is below the write side's version."""
    with container.engine.connect() as conn:
        behind = conn.execute(_BEHIND, {"ids": users}).scalar_one()
        versions = dict(conn.execute(text("SELECT id, version FROM libraries "
                                          "WHERE id = ANY(:ids)"), {"ids": users}).all())
    cached = container.redis.mget([f"lib:{{{u}}}:v" for u in versions])
    return behind + sum(int(c or 0) < v for c, v in zip(cached, versions.values()))


def verify_exit_code(container: Container) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": container.settings.database_url,
           "REDIS_URL": container.settings.redis_url, "COLUMNS": "200",
           "PATH": f"{os.path.dirname(sys.executable)}:{os.environ['PATH']}"}
    return subprocess.run(["movienexus", "read-models", "verify", "--settle", "20"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def assert_healed(container: Container, burst: LibraryBurst, movie_ids: list[int],
                  fault: str, stack: Pipeline | None = None) -> dict:
    """Every check of the issue; returns the figures of this run."""
    finished = time.monotonic()
    users = [w.who.user_id for w in burst.writers]
    eventually(lambda: libraries_behind(container, users) == 0, timeout=HEAL_SECONDS,
               interval=0.2)                       # healed by the workers, not by reads
    healed = time.monotonic() - finished
    for writer in burst.writers:
        sample = sorted(set(writer.favorites) | set(writer.watchlist))[:2] + movie_ids[:1]
        eventually(lambda: reads_match(container, writer, sample), timeout=HEAL_SECONDS,
                   interval=0.2)
    eventually(lambda: assert_movie_counts_match(container, movie_ids) or True,
               timeout=HEAL_SECONDS, interval=0.5)
    figures = {"fault": fault, "writes": sum(w.written for w in burst.writers),
               "heal_seconds": round(healed, 2),
               "all_reads_seconds": round(time.monotonic() - finished, 2),
               "dead_letters": dead_letters(container),
               "409s": sum(w.statuses.get(409, 0) for w in burst.writers),
               "5xx": sum(n for w in burst.writers for s, n in w.statuses.items()
                          if s >= 500)}
    verified = verify_exit_code(container)
    figures["verify_exit"] = verified.returncode
    figures["workers_restarted"] = {w.name: restarts(w) for w in
                                    (stack.workers.values() if stack else ())}
    _record(figures)
    assert figures["dead_letters"] == 0
    assert verified.returncode == 0, verified.stdout[-2000:] + verified.stderr[-4000:]
    return figures


def _record(figures: dict) -> None:
    print(json.dumps(figures))
    path = os.environ.get("FAULT_FIGURES")
    if path:
        with open(path, "a") as out:
            out.write(json.dumps(figures) + "\n")


def burst_of(app, movie_ids: list[int]) -> LibraryBurst:
    burst = LibraryBurst(app, movie_ids, seed=time.time_ns() % 10_000).start()
    burst.reach(0.3)
    return burst


# --- the evidence: nothing crosses a fork ---------------------------------------------------

def test_no_pool_process_shares_a_database_connection_with_its_main_process(
        stack, lab, app):
    container, movie_ids = lab
    writer = Writer(person(app), movie_ids, __import__("random").Random(1))
    for worker in stack.workers.values():
        assert postgres_sockets(worker_main_pid(worker)) == set(), \
            f"{worker.name}'s main process holds a PostgreSQL connection after start"
    for _ in range(2):
        for worker in stack.workers.values():
            kill_pool_processes(worker)
        time.sleep(1.5)
    writer.write_all(30, [])                 # the replacements connect and project
    eventually(lambda: libraries_behind(container, [writer.who.user_id]) == 0, timeout=30)
    connected = 0
    for worker in stack.workers.values():
        main = postgres_sockets(worker_main_pid(worker))
        seen: set[int] = set()
        for child in pool_processes(worker):
            held = postgres_sockets(child)
            assert not held & main, f"{worker.name}: a pool process shares the main's socket"
            assert not held & seen, f"{worker.name}: two pool processes share a socket"
            seen |= held
            connected += bool(held)
    assert connected, "no pool process had connected: the check saw nothing"


# --- one fault at a time ----------------------------------------------------------------------

def test_pool_processes_killed_twice_and_a_main_process_once(stack, lab, app):
    container, movie_ids = lab
    burst = burst_of(app, movie_ids)
    for _ in range(2):
        for worker in list(stack.workers.values()):
            kill_pool_processes(worker)
        time.sleep(1.5)
    stack.workers["people-worker"].kill()     # the main process and its pool
    stack.start_worker("people-worker")
    burst.finish()
    assert_healed(container, burst, movie_ids, "pool killed twice, main once")
    for worker in stack.workers.values():
        worker.assert_running()


def test_the_broker_stopped_and_started(stack, lab, app):
    container, movie_ids = lab
    burst = burst_of(app, movie_ids)
    restart_broker()
    burst.finish()
    assert_healed(container, burst, movie_ids, "broker stopped and started")
    stack.relay.assert_running()


def test_the_lane_queues_purged(stack, lab, app, settings):
    container, movie_ids = lab
    burst = burst_of(app, movie_ids)
    workers = list(stack.workers.values())
    pause(workers, True)                      # let messages wait in the queues
    try:
        time.sleep(1.5)
        purged = purge_lane_queues(container.settings)
    finally:
        pause(workers, False)
    assert purged > 0, "nothing was waiting in the queues: the fault missed"
    burst.finish()
    assert_healed(container, burst, movie_ids, "lane queues purged")


def test_the_workers_database_connections_terminated(stack, lab, app):
    container, movie_ids = lab
    burst = burst_of(app, movie_ids)
    killed = terminate_other_connections(container)
    time.sleep(1.0)
    killed += terminate_other_connections(container)
    assert killed >= 2
    container.engine.dispose()          # this process's own pooled connections went too
    burst.finish()
    assert_healed(container, burst, movie_ids, "PostgreSQL connections terminated")


# --- all of them in one burst, on fresh workers each time -----------------------------------

@pytest.mark.parametrize("run", range(COMBINED_RUNS))
def test_all_faults_in_one_burst(stack, lab, app, run):
    container, movie_ids = lab
    burst = burst_of(app, movie_ids)
    for _ in range(2):                         # the first SIGKILL after a fresh start
        for worker in list(stack.workers.values()):
            kill_pool_processes(worker)
        time.sleep(1.5)
    stack.workers["catalog-worker"].kill()
    stack.start_worker("catalog-worker")
    restart_broker()
    workers = list(stack.workers.values())
    pause(workers, True)
    try:
        time.sleep(1.0)
        purge_lane_queues(container.settings)
    finally:
        pause(workers, False)
    assert terminate_other_connections(container) >= 2
    container.engine.dispose()
    burst.finish()
    # A worker's main process may exit when it reconnects to the broker right after its
    # pool processes were killed (Celery's own defect, celery/celery#9250, with
    # worker_cancel_long_running_tasks_on_connection_loss): its keeper starts it again
    # (movienexus.devtools.respawn, as in `make run`). What this test holds is that nothing
    # is lost meanwhile; such restarts are recorded in the figures, not asserted.
    assert_healed(container, burst, movie_ids, f"all faults, run {run + 1}", stack)


# --- the reads a person makes right after writing -----------------------------------------------

def test_the_detail_me_block_right_after_each_write(stack, lab, app):
    """Write and read back to back on one client, no consistency token, 30 rounds."""
    _, movie_ids = lab
    me, stale = person(app), 0
    movie = movie_ids[7]
    steps = [("put", "favorites", {"rating": 4}, {"favorite": True, "rating": 4}),
             ("put", "favorites", {"rating": 9}, {"favorite": True, "rating": 9}),
             ("put", "watchlist", {}, {"in_watchlist": True, "watched": False}),
             ("put", "watchlist", {"watched": True}, {"in_watchlist": True, "watched": True}),
             ("delete", "favorites", None, {"favorite": False, "rating": None}),
             ("delete", "watchlist", None, {"in_watchlist": False, "watched": False})]
    for n in range(30):
        method, kind, body, expected = steps[n % len(steps)]
        path = f"/me/{kind}/{movie}"
        written = me.put(path, body) if method == "put" else me.delete(path)
        assert written.status_code in (200, 201, 204), written.get_data(as_text=True)
        shown = me.ok(me.get(f"/movies/{movie}"))["me"]
        stale += any(shown[k] != v for k, v in expected.items())
    assert stale == 0


def test_recommendations_come_on_the_leading_edge(stack, lab, app):
    """RECOMMENDATIONS_DELAY_SECONDS is 30 here: a trailing debounce would keep the
    list empty for 30 s. The movies were favorited before (today), so no TMDb relations
    fetch recomputes anything meanwhile: only the leading edge can fill it."""
    _, movie_ids = lab
    first, second = person(app), person(app)
    chosen = movie_ids[40:43]
    for who in (first, second):
        for tmdb_id in chosen:
            who.ok(who.put(f"/me/favorites/{tmdb_id}", {"rating": 9}), 201)
        if who is first:
            eventually(lambda: who.ok(who.get("/me/recommendations"))["total"], timeout=60,
                       interval=0.2)
    started = time.monotonic()
    found = eventually(lambda: second.ok(second.get("/me/recommendations"))["total"],
                       timeout=15, interval=0.1)
    assert found > 0
    print(json.dumps({"recommendations_after_seconds": round(time.monotonic() - started, 2)}))


def test_eight_parallel_writers_of_one_person_never_conflict(stack, lab, app):
    """8 clients of one person put 12 different movies each at once: no 409, and the
    same final state in every read and in a fresh fold of the log."""
    container, movie_ids = lab
    me = person(app)
    shares = [movie_ids[n * 12:(n + 1) * 12] for n in range(8)]
    statuses: list[int] = []

    def write(share: list[int]) -> None:
        client = app.test_client()
        for tmdb_id in share:
            response = client.put(f"/api/v1/me/favorites/{tmdb_id}", headers=me.headers,
                                  json={"rating": tmdb_id % 10 + 1})
            statuses.append(response.status_code)
    threads = [threading.Thread(target=write, args=(share,)) for share in shares]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses.count(409) == 0 and set(statuses) == {201}, sorted(set(statuses))
    wanted = {tmdb_id: tmdb_id % 10 + 1 for share in shares for tmdb_id in share}
    writer = Writer(me, movie_ids, None, favorites=wanted)
    eventually(lambda: libraries_behind(container, [me.user_id]) == 0, timeout=30)
    assert reads_match(container, writer, movie_ids[:2])
    assert verify_exit_code(container).returncode == 0
