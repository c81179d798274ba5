"""Favorites and watchlist through the whole pipeline, beside same-run baselines:

- sustained library writes projected per second (100 people, mixed add / update /
  remove of favorites and watchlist items, every event through the relay and the
  projections, counters folded), beside the bare Celery drain rate;
- write → visible in GET /me/favorites, p50/p99, while background writers (processes of
  their own) write at half that rate, or at BENCH_BACKGROUND_RATE per second, as far as
  the machine lets them; the rate they reached is printed (the client polling, and once
  with the consistency token).

The library's reads under load (GET /me/favorites, /me/stats) are in bench/reads.py.
"""
from __future__ import annotations

import multiprocessing
import os
import random
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import requests
from sqlalchemy import text

from bench.environment import bench_settings, prepare, process_env, start_api, start_worker
from bench.pipeline import drain_baseline, percentile
from domain.catalog.commands import ImportMovie, SyncGenres
from domain.errors import ConcurrencyConflict, NotFound
from domain.library import commands
from movienexus.devtools.processes import Process, free_port
from adapters.messaging.envelope import Envelope
from read_models.stores.markers import applied_key
from tmdb_server import shapes
from tmdb_server.generator import generate_movies
from workers.relay_process import build_relay

PEOPLE = 100
EVENTS = 10_000
MOVIES = 500
LAG_ROUNDS = 300
READ_PEOPLE = 20
FAVORITES_EACH = 20
PASSWORD = "Bench-password-2026"


def library_settings():
    base = bench_settings()
    return replace(base, database_url=base.database_url + "_library")


def load_catalog(container) -> list[int]:
    """MOVIES of the bundled server's catalog, imported and projected in-process."""
    movies = generate_movies(count=MOVIES)
    container.handle(SyncGenres(shapes.genre_list()["genres"]))
    for movie in movies:
        container.handle(ImportMovie(shapes.list_item(movie)))
    project_everything(container)
    return [m.id for m in movies]


def project_everything(container) -> None:
    relay_marks(container)
    with container.engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM events ORDER BY position")).mappings().all()
    for row in rows:
        container.projection_runner.apply(Envelope.from_row(row))


def relay_marks(container) -> None:
    """Events projected here need not travel: mark them published."""
    with container.engine.begin() as conn:
        conn.execute(text("UPDATE events SET published_at = now() WHERE published_at IS NULL"))


def mixed_writes(container, person: str, movie_ids: list[int], count: int,
                 rng: random.Random) -> int:
    """`count` library events by one person: mostly adds and rating changes, some
    removals, some watchlist moves. Returns the library's last version."""
    favorites, watchlist, version = set(), set(), 0
    while version < count:
        movie, roll = rng.choice(movie_ids), rng.random()
        if roll < 0.15 and favorites:
            command = commands.RemoveFavorite(person, rng.choice(sorted(favorites)))
        elif roll < 0.7:
            command = commands.SaveFavorite(person, movie, {"rating": rng.randint(1, 10)})
        elif roll < 0.8 and watchlist:
            command = commands.RemoveWatchlistItem(person, rng.choice(sorted(watchlist)))
        else:
            command = commands.SaveWatchlistItem(person, movie, rng.random() < 0.5)
        try:
            handled = container.handle(command)
        except (NotFound, ConcurrencyConflict):
            continue
        if handled.commit.event_count:
            version = handled.commit.last_aggregate_version
        target = command.tmdb_id
        is_favorite = isinstance(command, (commands.SaveFavorite, commands.RemoveFavorite))
        held = favorites if is_favorite else watchlist
        (held.discard if type(command).__name__.startswith("Remove") else held.add)(target)
    return version


def write_backlog(container, movie_ids: list[int]) -> dict[str, int]:
    per_person = EVENTS // PEOPLE

    def history(n: int) -> tuple[str, int]:
        person = str(uuid.uuid4())
        return person, mixed_writes(container, person, movie_ids, per_person, random.Random(n))

    with ThreadPoolExecutor(8) as pool:
        return dict(pool.map(history, range(PEOPLE)))


def project_backlog(container, versions: dict[str, int]) -> float:
    """Starts a relay over the unpublished backlog; events/s until every library's
    applied marker reached its last version (the worker is already running)."""
    keys = [applied_key("library", person) for person in versions]
    targets = list(versions.values())
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


class Person:
    def __init__(self, api_url: str):
        self.api, self.http = f"{api_url}/api/v1", requests.Session()
        email = f"bench-{uuid.uuid4().hex[:12]}@example.com"
        self.http.post(f"{self.api}/auth/register", json={"email": email, "password": PASSWORD},
                       timeout=10).raise_for_status()
        login = self.http.post(f"{self.api}/auth/login", timeout=10,
                               json={"email": email, "password": PASSWORD}).json()
        self.authorization = f"Bearer {login['access_token']}"
        self.http.headers["Authorization"] = self.authorization


WRITERS = 4            # background writer processes


def _write_in_background(settings, movie_ids: list[int], rate: float, seed: int,
                         stop, written) -> None:
    """One writer process: library writes by other people at `rate` per second (paced in
    10 ms steps), counted in `written`."""
    from movienexus.bootstrap import Container
    container = Container(settings)
    rng, people = random.Random(seed), [str(uuid.uuid4()) for _ in range(PEOPLE)]
    sent, started = 0, time.perf_counter()
    while not stop.is_set():
        due = int((time.perf_counter() - started) * rate)
        while sent < due and not stop.is_set():
            person, movie = rng.choice(people), rng.choice(movie_ids)
            try:
                container.handle(commands.SaveFavorite(person, movie,
                                                       {"rating": rng.randint(1, 10)}))
            except ConcurrencyConflict:
                pass
            sent += 1
            with written.get_lock():
                written.value += 1
        time.sleep(0.01)


class BackgroundLoad:
    """Library writes by other people at `rate` per second in WRITERS processes of their
    own: in the measuring process they held its GIL, and the person's own requests
    waited on it (a p50 of 76 ms that was the benchmark's, not the system's)."""

    def __init__(self, settings, movie_ids: list[int], rate: float):
        context = multiprocessing.get_context("spawn")
        self.stop, self.written = context.Event(), context.Value("l", 0)
        self.processes = [context.Process(target=_write_in_background, daemon=True, args=(
            settings, movie_ids, rate / WRITERS, seed, self.stop, self.written))
            for seed in range(WRITERS)]

    def __enter__(self) -> "BackgroundLoad":
        for process in self.processes:
            process.start()
        time.sleep(2.0)                            # the writers' imports, then their pace
        self.started, self.at_start = time.perf_counter(), self.written.value
        return self

    def __exit__(self, *_exc) -> None:
        self.rate = (self.written.value - self.at_start) / (time.perf_counter() - self.started)
        self.stop.set()
        for process in self.processes:
            process.join(timeout=30)


def write_to_visible(api_url: str, movie_ids: list[int]) -> dict[str, list[float]]:
    """PUT /me/favorites/{id} with a new rating, then GET /me/favorites until it shows
    (polling), or with the consistency token (the server waits; an answer that came
    back stale is counted and polled on)."""
    me = Person(api_url)
    movie = movie_ids[0]
    polled, with_token, stale = [], [], 0

    def shows(rating: int, headers: dict | None = None) -> bool:
        answer = me.http.get(f"{me.api}/me/favorites", timeout=10, headers=headers or {})
        return answer.json()["items"][0]["rating"] == rating, answer.headers.get("X-Consistency")

    for n in range(LAG_ROUNDS):
        rating = n % 10 + 1
        put = me.http.put(f"{me.api}/me/favorites/{movie}", json={"rating": rating}, timeout=10)
        written = time.perf_counter()
        if n % 2:
            while not shows(rating)[0]:
                pass
            polled.append(time.perf_counter() - written)
        else:
            seen, said = shows(rating, {"X-Consistency-Token": put.headers["X-Consistency-Token"]})
            stale += said == "stale"
            while not seen:
                seen, _ = shows(rating)
            with_token.append(time.perf_counter() - written)
    return {"polled": polled, "token": with_token, "stale": stale}


def purge_queues(settings) -> None:
    """Messages an interrupted earlier run left behind name events of a dropped database."""
    from workers.celery_app import make_celery
    make_celery(settings).control.purge()


def main(log_dir: Path) -> dict:
    from tests.support.smtp import start_smtp
    settings = library_settings()
    from movienexus import database
    database.recreate_database(settings.database_url)
    container = prepare(settings)
    smtp_port = free_port()
    smtp, _inbox = start_smtp(smtp_port)
    env = {**process_env(settings, smtp_port),
           "RECOMMENDATIONS_DELAY_SECONDS": os.environ.get("RECOMMENDATIONS_DELAY_SECONDS", "30")}
    movie_ids = load_catalog(container)
    purge_queues(settings)
    worker = start_worker(env, log_dir)
    processes: list[Process] = [worker, start_worker(env, log_dir, "reactions")]
    try:
        baseline = drain_baseline(container)
        versions = write_backlog(container, movie_ids)
        sustained = project_backlog(container, versions)
        print(f"baseline {baseline:,.0f}/s, library events projected {sustained:,.0f}/s",
              flush=True)
        relay = Process("relay", env, log_dir).start()
        api, api_url = start_api(env, log_dir)
        processes += [relay, api]
        rate = float(os.environ.get("BENCH_BACKGROUND_RATE", 0)) or sustained / 2
        with BackgroundLoad(settings, movie_ids, rate) as load:
            lag = write_to_visible(api_url, movie_ids)
        lag["background"] = load.rate
    finally:
        for process in processes:
            process.stop()
        smtp.stop()
    return {"baseline": baseline, "sustained": sustained, "lag": lag,
            "events": sum(versions.values())}


def report(figures: dict, console) -> None:
    from rich.table import Table
    table = Table(title=f"Library writes: {figures['events']:,} events by {PEOPLE} people "
                        f"(mixed add / update / remove), every one projected")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("bare Celery task drain (baseline)", f"{figures['baseline']:,.0f} tasks/s")
    table.add_row("library events projected", f"{figures['sustained']:,.0f} events/s")
    table.add_row("ratio (aim ≥ 0.5)", f"{figures['sustained'] / figures['baseline']:.2f}")
    lag = dict(figures["lag"])
    stale, background = lag.pop("stale"), lag.pop("background")
    table.add_row(f"background library writes meanwhile ({WRITERS} processes, paced at "
                  "BENCH_BACKGROUND_RATE or else half the projected rate, as they can)",
                  f"{background:,.0f} writes/s")
    for name, values in lag.items():
        label = ("PUT → GET /me/favorites shows it (client polls)" if name == "polled"
                 else "PUT → GET /me/favorites with X-Consistency-Token")
        table.add_row(f"{label}, p50", f"{percentile(values, 50) * 1000:.1f} ms")
        table.add_row(f"{label}, p99 (aim ≤ 50 ms)", f"{percentile(values, 99) * 1000:.1f} ms")
    table.add_row("token reads answered stale (after CONSISTENCY_WAIT_SECONDS)", str(stale))
    console.print(table)
