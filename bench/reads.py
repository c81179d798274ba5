"""Reads as `make run` serves them (bench/stack.py: honcho, the Procfile's lines, their
logging), beside a bare Flask endpoint doing one Redis GET of the same bytes, served
by the same gunicorn line under the same honcho.

Each endpoint is measured in ROUNDS alternating pairs (bare, then API), wrk at 16
connections; a pair's ratio is API ÷ bare. The figures are the median over the
rounds, with the spread (lowest–highest) beside them: the machine's noise, shown.

Then the cold cache: Redis flushed, each key read once (the first read pays the
PostgreSQL fallback and refills), then read again warm, one request at a time."""
from __future__ import annotations

import os
import random
import statistics
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import requests
from sqlalchemy import text

from bench import wrk
from bench.catalog_env import fresh_container, fresh_settings
from bench.environment import process_env
from bench.library import Person
from bench.stack import HonchoStack
from catalog_sync import run_sync
from domain.catalog.vocabulary import CURATED_LISTS, list_path
from adapters.messaging.envelope import Envelope
from movienexus.devtools.processes import free_port, wait_http
from tests.support.tmdb_server import running_tmdb_server

CATALOG_PAGES = 50                # 1,000 movies of each of TMDb's lists
SECONDS = int(os.environ.get("BENCH_READ_SECONDS", "6"))
ROUNDS = int(os.environ.get("BENCH_READ_ROUNDS", "2"))
WARMUP_SECONDS = 1
DETAIL_IDS = 1_000
SEARCH_TERMS = 60
PEOPLE = 20
FAVORITES_EACH = 20
COLD_KEYS = 200
BARE_PREFIX = "/bare"
AIM, AIM_AUTHENTICATED, AIM_P99_MS = 0.85, 0.75, 15.0


@dataclass
class Endpoint:
    """What wrk asks of the API, and the bare paths holding the same bytes."""
    name: str
    paths: list[str]
    authorizations: list[str] = field(default_factory=list)
    bare_paths: list[str] = field(default_factory=list)

    @property
    def aim(self) -> float:
        return AIM_AUTHENTICATED if self.authorizations else AIM


def load_catalog(container) -> list[int]:
    """Genres, CATALOG_PAGES pages of every curated list and both trending windows."""
    for kind in ("genres", *CURATED_LISTS, "trending"):
        run_sync(container, kind, pages=CATALOG_PAGES)
    with container.engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM events ORDER BY position")).mappings().all()
    for row in rows:
        container.projection_runner.apply(Envelope.from_row(row))
    with container.engine.connect() as conn:
        return list(conn.execute(text("SELECT tmdb_id FROM read_movies ORDER BY tmdb_id"))
                    .scalars())


def search_terms(container) -> list[str]:
    """Words of stored titles, as people type them (some lower-case, some with a typo)."""
    with container.engine.connect() as conn:
        titles = conn.execute(text("SELECT title FROM read_movies ORDER BY popularity DESC "
                                   "LIMIT :n"), {"n": SEARCH_TERMS}).scalars().all()
    words = [max(title.split(), key=len) for title in titles]
    return [w.lower() if n % 3 == 0 else w[:-1] if n % 3 == 1 and len(w) > 4 else w
            for n, w in enumerate(words)]


def people_with_libraries(api_url: str, movie_ids: list[int]) -> list[Person]:
    """PEOPLE people, each with FAVORITES_EACH rated favorites and a short watchlist."""
    people, rng = [Person(api_url) for _ in range(PEOPLE)], random.Random(7)
    api = f"{api_url}/api/v1"
    for me in people:
        picks = rng.sample(movie_ids, FAVORITES_EACH + 5)
        for movie in picks[:FAVORITES_EACH]:
            me.http.put(f"{api}/me/favorites/{movie}", timeout=10,
                        json={"rating": rng.randint(1, 10), "notes": "bench"}).raise_for_status()
        for movie in picks[FAVORITES_EACH:]:
            me.http.put(f"{api}/me/watchlist/{movie}", timeout=10).raise_for_status()
    return people


def endpoints(ids: list[int], terms: list[str], people: list[Person]) -> list[Endpoint]:
    lists = [f"/movies/{list_path(name)}" for name in CURATED_LISTS]
    catalog = [Endpoint("movies/{id}", [f"/api/v1/movies/{i}" for i in ids[:DETAIL_IDS]])]
    catalog += [Endpoint(path[1:], [f"/api/v1{path}?page={p}" for p in range(1, 6)])
                for path in lists]
    catalog += [Endpoint(f"movies/trending?window={w}",
                         [f"/api/v1/movies/trending?window={w}&page={p}" for p in range(1, 6)])
                for w in ("day", "week")]
    catalog.append(Endpoint("movies/search?q= (asked before)",
                            [f"/api/v1/movies/search?q={quote(t)}" for t in terms]))
    tokens = [p.authorization for p in people]
    mine = [Endpoint(name, [f"/api/v1/{name}"], tokens) for name in
            ("me", "me/favorites", "me/stats")]
    return catalog + mine


def store_bare_bodies(container, api_url: str, endpoint: Endpoint) -> None:
    """The bytes the API answers each request with, for the bare endpoint to serve."""
    pipe, http = container.redis.pipeline(transaction=False), requests.Session()
    if endpoint.authorizations:
        asks = [(endpoint.paths[0], auth) for auth in endpoint.authorizations]
    else:
        asks = [(path, None) for path in endpoint.paths]
    for n, (path, auth) in enumerate(asks):
        answer = http.get(api_url + path, timeout=30,
                          headers={"Authorization": auth} if auth else {})
        answer.raise_for_status()
        key = f"{path}~{n}"
        pipe.set(f"bench:body:{key}", answer.content)
        endpoint.bare_paths.append(f"{BARE_PREFIX}/{quote(key, safe='/')}")
    pipe.execute()


def first_asks(api_url: str, paths: list[str]) -> list[float]:
    """Each search once, one at a time: a query with few stored matches also asks TMDb
    and imports what it finds (the figures after it are for queries asked before)."""
    latencies = []
    with requests.Session() as http:
        for path in paths:
            started = time.perf_counter()
            http.get(api_url + path, timeout=30)
            latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def cpu_busy(seconds: float) -> float:
    """The share of the machine's CPU time that was busy over `seconds` (/proc/stat)."""
    def sample() -> tuple[int, int]:
        fields = [int(v) for v in open("/proc/stat").readline().split()[1:]]
        return sum(fields), fields[3] + fields[4]       # total, idle + iowait
    total, idle = sample()
    time.sleep(seconds)
    total2, idle2 = sample()
    return 1 - (idle2 - idle) / max(1, total2 - total)


def settle(max_seconds: float = 120) -> None:
    """Waits until the machine is quiet: the workers done with what the set-up wrote
    (projections, the recommendations computed after the library writes)."""
    deadline, quiet = time.monotonic() + max_seconds, 0
    while time.monotonic() < deadline and quiet < 3:
        quiet = quiet + 1 if cpu_busy(1.0) < 0.15 else 0


def measure(url: str, paths: list[str], log_dir: Path,
            authorizations: list[str] | None = None) -> wrk.Load:
    wrk.run(url, paths, WARMUP_SECONDS, log_dir, authorizations)
    return wrk.run(url, paths, SECONDS, log_dir, authorizations)


def alternate(stack: HonchoStack, endpoint: Endpoint, log_dir: Path) -> list[tuple]:
    """ROUNDS pairs of (bare load, API load), bare first in each pair."""
    pairs = []
    for _ in range(ROUNDS):
        bare = measure(stack.bare_url, endpoint.bare_paths, log_dir)
        api = measure(stack.api_url, endpoint.paths, log_dir, endpoint.authorizations)
        pairs.append((bare, api))
    return pairs


def sequential(url: str, asks: list[tuple[str, str | None]]) -> list[float]:
    """Each (path, authorization) once, one at a time: milliseconds each."""
    latencies = []
    with requests.Session() as http:
        for path, auth in asks:
            started = time.perf_counter()
            answer = http.get(url + path, timeout=30,
                              headers={"Authorization": auth} if auth else {})
            latencies.append((time.perf_counter() - started) * 1000)
            answer.raise_for_status()
    return latencies


def cold_and_warm(container, api_url: str, catalog: list[Endpoint],
                  mine: list[Endpoint]) -> dict[str, tuple[list[float], list[float]]]:
    """Redis flushed (documents, sessions, caches: a restart that lost its data), then
    each key read once cold, then once more warm."""
    asks = {"movies/{id}": [(p, None) for p in catalog[0].paths[:COLD_KEYS]],
            "curated list pages": [(p, None) for e in catalog[1:-1] for p in e.paths]}
    for endpoint in mine:
        asks[endpoint.name] = [(endpoint.paths[0], a) for a in endpoint.authorizations]
    container.redis.flushdb()
    container.cache.flushdb()
    cold = {name: sequential(api_url, group) for name, group in asks.items()}
    return {name: (cold[name], sequential(api_url, group)) for name, group in asks.items()}


@dataclass
class Served:
    """The stack under load, its catalog and people, and what wrk asks of it."""
    stack: HonchoStack
    container: object
    ids: list[int]
    people: list[Person]
    endpoints: list[Endpoint]
    first_searches: list[float]


@contextmanager
def served(log_dir: Path, env: dict[str, str] | None = None, extra: tuple[str, ...] = (),
           database_name: str = "movienexus_bench_reads"):
    """The stack (and `extra` Procfile lines) with the catalog, the people and the bare
    endpoint's bodies in place, the machine settled: ready for `loads`."""
    wrk.require_wrk()
    with running_tmdb_server(movies=5_000) as server:
        settings = fresh_settings(database_name, server.base_url)
        container = fresh_container(settings)
        ids = load_catalog(container)
        env = {**process_env(settings, free_port()), "TMDB_BASE_URL": server.base_url,
               **(env or {})}
        stack = HonchoStack(env, log_dir, extra).start()
        try:
            wait_http(f"{stack.api_url}/healthz", stack)
            wait_http(f"{stack.bare_url}/healthz", stack)
            people = people_with_libraries(stack.api_url, ids)
            all_endpoints = endpoints(ids, search_terms(container), people)
            searches = first_asks(stack.api_url, all_endpoints[-4].paths)
            for endpoint in all_endpoints:
                store_bare_bodies(container, stack.api_url, endpoint)
            settle()
            yield Served(stack, container, ids, people, all_endpoints, searches)
        finally:
            stack.stop()


def loads(run: Served, log_dir: Path) -> dict[str, tuple[Endpoint, list[tuple]]]:
    """Every endpoint's ROUNDS (bare, API) pairs."""
    return {e.name: (e, alternate(run.stack, e, log_dir)) for e in run.endpoints}


def main(log_dir: Path) -> dict:
    with served(log_dir) as run:
        measured = loads(run, log_dir)
        cold = cold_and_warm(run.container, run.stack.api_url, run.endpoints[:-3],
                             run.endpoints[-3:])
    return {"movies": len(run.ids), "loads": measured, "first_searches": run.first_searches,
            "cold": cold}


def _spread(values: list[float], fmt: str) -> str:
    middle = statistics.median(values)
    if len(values) < 2:
        return fmt.format(middle)
    return f"{fmt.format(middle)} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def percentile(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def report(figures: dict, console) -> None:
    from rich.table import Table
    table = Table(title=f"Reads as make run serves them (honcho, the Procfile's gunicorn "
                        f"line): wrk {wrk.CONNECTIONS} connections, {SECONDS} s, {ROUNDS} "
                        f"rounds alternating with the bare Flask + one Redis GET of the "
                        f"same bytes; median (lowest–highest) over the rounds; "
                        f"{figures['movies']:,} movies")
    for column in ("endpoint", "API req/s", "bare req/s", "÷ bare", "API p99", "bare p99",
                   "aim"):
        table.add_column(column, justify="left" if column in ("endpoint", "aim") else "right")
    failed = {}
    for name, (endpoint, pairs) in figures["loads"].items():
        ratios = [api.rate / bare.rate for bare, api in pairs]
        met = statistics.median(ratios) >= endpoint.aim and \
            statistics.median([api.p99_ms for _, api in pairs]) <= AIM_P99_MS
        table.add_row(name, _spread([a.rate for _, a in pairs], "{:,.0f}"),
                      _spread([b.rate for b, _ in pairs], "{:,.0f}"),
                      _spread(ratios, "{:.2f}"),
                      _spread([a.p99_ms for _, a in pairs], "{:.1f} ms"),
                      _spread([b.p99_ms for b, _ in pairs], "{:.1f} ms"),
                      f"≥ {endpoint.aim}, p99 ≤ {AIM_P99_MS:.0f} ms "
                      + ("[green]met[/green]" if met else "[red]not met[/red]"))
        errors = sum(a.bad_status + a.socket_errors + b.bad_status + b.socket_errors
                     for b, a in pairs)
        if errors:
            failed[name] = errors
    console.print(table)
    searches = figures["first_searches"]
    console.print(f"search, each query's first ask (one at a time, may ask TMDb): "
                  f"p50 {percentile(searches, 50):.1f} ms, p99 {percentile(searches, 99):.1f} ms")
    cold = Table(title="Cold cache: Redis flushed, each key read once (PostgreSQL fallback "
                       "and refill), then again warm; one request at a time")
    for column in ("reads", "keys", "cold p50", "cold p99", "warm p50", "warm p99"):
        cold.add_column(column, justify="left" if column == "reads" else "right")
    for name, (first, again) in figures["cold"].items():
        cold.add_row(name, str(len(first)), f"{percentile(first, 50):.1f} ms",
                     f"{percentile(first, 99):.1f} ms", f"{percentile(again, 50):.1f} ms",
                     f"{percentile(again, 99):.1f} ms")
    console.print(cold)
    if failed:
        console.print(f"[red]non-2xx answers or socket errors: {failed}[/red]")
