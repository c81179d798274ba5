"""Events per second through relay + projection (mixed profile and library events of
USERS people, the people lane's worker), beside a bare Celery task drain measured in the
same run on the same worker and the rebuild's fold rate over the same events (the
ceiling: the same folds with no broker, no per-batch transaction, no Redis); and
PATCH /me → GET /me lag."""
from __future__ import annotations

import statistics
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import requests
from sqlalchemy import text

from adapters.messaging.envelope import Envelope
from adapters.messaging.publisher import ConfirmingPublisher, OutgoingMessage
from bench.environment import (WORKER_CONCURRENCY, bench_settings, prepare,  # noqa: F401
                               process_env, start_api, start_worker)
from domain.accounts import commands
from domain.catalog.commands import ImportMovie
from domain.library import commands as library
from movienexus import database
from read_models.operations.rebuild import RebuildReport, ReadModelRebuild
from movienexus.devtools.processes import Process
from adapters.messaging import topology
from workers.celery_app import celery_app
from workers.relay_process import build_relay

EVENTS = 10_000
USERS = 500
RENAMES = 6                    # profile events per person (after the registration)
SHELF = 40                     # movies the library events are about
PASSWORD = "Bench-password-2026"


def drain_baseline(container, count: int = EVENTS) -> float:
    """`count` bare tasks, published in confirmed batches like the relay does."""
    ns = container.settings.amqp_namespace
    key = f"bench:count:{uuid.uuid4().hex}"
    publisher = ConfirmingPublisher(container.settings.broker_url,
                                    topology.events_exchange(ns),
                                    topology.queues(ns, container.settings.amqp_queue_type))
    messages = []
    for _ in range(count):
        m = celery_app.amqp.as_task_v2(str(uuid.uuid4()), "ops.count", args=(key,))
        messages.append(OutgoingMessage(m.body, "projections.people.count", m.headers, {
            k: v for k, v in m.properties.items() if k != "reply_to"}))
    started = time.perf_counter()
    for i in range(0, count, 500):
        publisher.publish_batch(messages[i:i + 500])
    while int(container.redis.get(key) or 0) < count:
        time.sleep(0.005)
    publisher.close()
    return count / (time.perf_counter() - started)


def stock_shelf(container) -> list[int]:
    """SHELF movies, imported and projected here (the catalog lane is not measured)."""
    tmdb_ids = list(range(1_990_000_000, 1_990_000_000 + SHELF))
    for n, tmdb_id in enumerate(tmdb_ids):
        container.handle(ImportMovie({
            "id": tmdb_id, "title": f"Shelf {n}", "original_title": f"Shelf {n}",
            "overview": "", "popularity": 1.0, "vote_average": 5.0, "vote_count": 1,
            "release_date": f"{1950 + n}-01-01", "genre_ids": [18, 35][: 1 + n % 2],
            "original_language": "en", "poster_path": None, "backdrop_path": None,
            "adult": False, "video": False}))
    with container.engine.begin() as conn:
        rows = conn.execute(text("UPDATE events SET published_at = now() "
                                 "WHERE published_at IS NULL RETURNING *")).mappings().all()
    container.projection_runner.apply_batch([Envelope.from_row(row) for row in rows])
    return tmdb_ids


def library_commands(user_id: str, shelf: list[int], count: int, seed: int) -> list:
    """`count` library writes of one person, each one event: favorites added, re-rated
    and removed, watchlist items added and marked watched."""
    writes = []
    for k in range(count):
        movie = shelf[(seed * 7 + k) % len(shelf)]
        step = k % 4
        if step == 0:
            writes.append(library.SaveFavorite(user_id, movie, {"rating": 1 + k % 10}))
        elif step == 1:
            writes.append(library.SaveWatchlistItem(user_id, movie, None))
        elif step == 2:
            earlier = shelf[(seed * 7 + k - 2) % len(shelf)]
            writes.append(library.SaveFavorite(user_id, earlier, {"rating": 10 - k % 10}))
        else:
            earlier = shelf[(seed * 7 + k - 3) % len(shelf)]
            writes.append(library.RemoveFavorite(user_id, earlier))
    return writes


def write_events(container, shelf: list[int]) -> dict[str, int]:
    """USERS people with EVENTS events in all (a registration, RENAMES profile changes,
    the rest library writes, interleaved), left unpublished for the relay; the
    `applied:` marker each aggregate must reach."""
    library_writes = EVENTS // USERS - 1 - RENAMES

    def history(n: int) -> None:
        user = container.handle(commands.RegisterUser(
            email=f"bench-{uuid.uuid4().hex[:12]}@example.com", password=PASSWORD)).value
        renames = [commands.UpdateProfile(user_id=user.id, changes={"first_name": f"N{k}"})
                   for k in range(RENAMES)]
        writes = library_commands(user.id, shelf, library_writes, n)
        for k, command in enumerate(writes):
            container.handle(command)
            if k % 2 and renames:
                container.handle(renames.pop())
        for command in renames:
            container.handle(command)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(history, range(USERS)))
    with container.engine.connect() as conn:
        return dict(conn.execute(text(
            "SELECT 'applied:' || aggregate_type || ':' || aggregate_id, "
            "max(aggregate_version) FROM events WHERE published_at IS NULL "
            "AND aggregate_type IN ('user', 'library') GROUP BY 1")).all())


def project_all(container, markers: dict[str, int]) -> float:
    keys = list(markers)
    targets = list(markers.values())
    relay, stop = build_relay(container), threading.Event()
    started = time.perf_counter()
    thread = threading.Thread(target=relay.run, args=(stop,), daemon=True)
    thread.start()
    while True:
        applied = [int(v or 0) for v in container.redis.mget(keys)]
        if all(a >= t for a, t in zip(applied, targets)):
            break
        time.sleep(0.005)
    elapsed = time.perf_counter() - started
    stop.set()
    thread.join(timeout=10)
    return sum(targets) / elapsed


def fold_rate(container) -> tuple[float, int]:
    """The rebuild's log pass over the same log (this run's database holds only these
    events and the shelf): (events/s, events)."""
    report = RebuildReport()
    rebuild = ReadModelRebuild(container.engine, container.projection_runner_on,
                               schema="bench_fold")
    shadow, _runner, applier = rebuild.fold_log(report, lambda _n: None)
    applier.close()
    shadow.dispose()
    rebuild.drop()
    return report.events / report.phases["log pass"], report.events


def unpublished(container) -> int:
    with container.engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM events WHERE published_at IS NULL")
                            ).scalar()


def read_lag(api_url: str, rounds: int = 300) -> dict[str, list[float]]:
    """PATCH /me, then poll GET /me until the change shows; and the same read made
    once with the consistency token (the server does the waiting)."""
    session = requests.Session()
    email = f"lag-{uuid.uuid4().hex[:12]}@example.com"
    session.post(f"{api_url}/api/v1/auth/register", json={"email": email, "password": PASSWORD})
    login = session.post(f"{api_url}/api/v1/auth/login",
                         json={"email": email, "password": PASSWORD}).json()
    session.headers["Authorization"] = f"Bearer {login['access_token']}"
    polled, with_token = [], []
    for n in range(rounds):
        started = time.perf_counter()
        patch = session.patch(f"{api_url}/api/v1/me", json={"profile": {"bio": f"p{n}"}})
        written = time.perf_counter()
        if n % 2:
            while session.get(f"{api_url}/api/v1/me").json()["profile"]["bio"] != f"p{n}":
                pass
            polled.append(time.perf_counter() - written)
        else:
            answer = session.get(f"{api_url}/api/v1/me", headers={
                "X-Consistency-Token": patch.headers["X-Consistency-Token"]})
            assert answer.json()["profile"]["bio"] == f"p{n}"
            with_token.append(time.perf_counter() - written)
        del started
    return {"polled": polled, "token": with_token}


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def main(log_dir) -> dict:
    from tests.support.smtp import start_smtp
    from movienexus.devtools.processes import free_port
    settings = bench_settings()
    database.recreate_database(settings.database_url)     # the log: this run's events only
    container = prepare(settings)
    smtp_port = free_port()
    smtp, _inbox = start_smtp(smtp_port)
    env = process_env(settings, smtp_port)
    build_relay(container).drain()           # leftovers of an earlier run
    worker = start_worker(env, log_dir)
    processes: list[Process] = [worker, start_worker(env, log_dir, "reactions")]
    try:
        baseline = drain_baseline(container)
        shelf = stock_shelf(container)
        markers = write_events(container, shelf)
        assert unpublished(container) >= EVENTS
        pipeline = project_all(container, markers)
        ceiling, folded = fold_rate(container)
        relay = Process("relay", env, log_dir).start()
        api, url = start_api(env, log_dir)
        processes += [relay, api]
        lag = read_lag(url)
    finally:
        for process in processes:
            process.stop()
        smtp.stop()
    return {"baseline": baseline, "pipeline": pipeline, "fold": ceiling, "folded": folded,
            "lag": lag}
