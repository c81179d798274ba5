"""Requests/s and p50/p99 latency of GET /api/v1/movies/{id}, /movies/popular and
/movies/search?q= at 16 connections (wrk), beside a bare Flask endpoint doing one Redis
GET (bench/bare_app.py). Both run from the Procfile's gunicorn line with the same
settings; the bare endpoint is measured first and last, and its mean is the baseline."""
from __future__ import annotations

import time

import os
import subprocess
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import text

from bench import wrk
from bench.catalog_env import fresh_container, fresh_settings
from bench.environment import process_env, start_api
from catalog_sync import run_sync
from movienexus.devtools.processes import ROOT, VENV_BIN, Process, free_port, procfile, wait_http
from adapters.messaging.envelope import Envelope
from tests.support.tmdb_server import running_tmdb_server

CATALOG_PAGES = 100               # 2,000 movies of TMDb's popular list
SECONDS = int(os.environ.get("BENCH_READ_SECONDS", "10"))
WARMUP_SECONDS = 2
SEARCH_TERMS = 60
API_WSGI_APP = "api.wsgi:app"


class Gunicorn(Process):
    """The Procfile's api line, word for word, serving another WSGI app."""

    def __init__(self, wsgi_app: str, env: dict[str, str], log_dir: Path):
        super().__init__("api", env, log_dir)
        self.wsgi_app = wsgi_app

    def start(self) -> "Gunicorn":
        line = procfile()["api"].strip()
        if API_WSGI_APP not in line:
            raise RuntimeError(f"the Procfile's api line no longer serves {API_WSGI_APP}")
        command = line.replace(API_WSGI_APP, self.wsgi_app)
        env = {**os.environ, **self.env, "PATH": f"{VENV_BIN}:{os.environ['PATH']}"}
        self.log_file = open(self.log_path, "wb")
        self.popen = subprocess.Popen(["/bin/sh", "-c", f"exec {command}"], cwd=ROOT, env=env,
                                      stdout=self.log_file, stderr=subprocess.STDOUT,
                                      start_new_session=True)
        return self


def start_bare(env: dict[str, str], log_dir: Path) -> tuple[Process, str]:
    port = free_port()
    bare = Gunicorn("bench.bare_app:app", {**env, "API_PORT": str(port),
                                           "WEB_CONCURRENCY": "4"}, log_dir).start()
    url = f"http://127.0.0.1:{port}"
    wait_http(f"{url}/bare/0", bare)
    return bare, url


def load_catalog(container) -> list[int]:
    """Genres and CATALOG_PAGES pages of popular, synced and projected; the movie ids."""
    run_sync(container, "genres")
    run_sync(container, "popular", pages=CATALOG_PAGES)
    project_everything(container)
    with container.engine.connect() as conn:
        return list(conn.execute(text("SELECT tmdb_id FROM read_movies ORDER BY tmdb_id"))
                    .scalars())


def project_everything(container) -> None:
    with container.engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM events ORDER BY position")).mappings().all()
    for row in rows:
        container.projection_runner.apply(Envelope.from_row(row))


def search_terms(container) -> list[str]:
    """Words of stored titles, as people type them (some lower-case, some with a typo)."""
    with container.engine.connect() as conn:
        titles = conn.execute(text("SELECT title FROM read_movies ORDER BY popularity DESC "
                                   "LIMIT :n"), {"n": SEARCH_TERMS}).scalars().all()
    words = [max(title.split(), key=len) for title in titles]
    return [w.lower() if n % 3 == 0 else w[:-1] if n % 3 == 1 and len(w) > 4 else w
            for n, w in enumerate(words)]


def measure(base_url: str, paths: list[str], log_dir: Path) -> wrk.Load:
    wrk.run(base_url, paths, WARMUP_SECONDS, log_dir)
    return wrk.run(base_url, paths, SECONDS, log_dir)


BARE_PAGE_PATHS = [f"/bare-page/{p}" for p in range(1, 6)]


def store_list_pages(container, api_url: str) -> None:
    """The bytes of the popular pages the API serves, for the bare list-sized baseline."""
    import requests
    for page in range(1, 6):
        body = requests.get(f"{api_url}/api/v1/movies/popular?page={page}", timeout=10).content
        container.redis.set(f"bench:page:{page}", body)


def first_asks(base_url: str, paths: list[str]) -> wrk.Load:
    """Each query once, one at a time: the first ask of a query with few stored matches
    also asks TMDb and imports what it finds. The wrk figures that follow are for
    queries already asked (cached per catalog generation, or computed in PostgreSQL)."""
    import statistics
    import requests
    latencies, bad = [], 0
    with requests.Session() as session:
        for path in paths:
            started = time.perf_counter()
            bad += session.get(base_url + path, timeout=30).status_code >= 400
            latencies.append((time.perf_counter() - started) * 1000)
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return wrk.Load(requests=len(paths), rate=len(paths) / (sum(latencies) / 1000),
                    p50_ms=cuts[49], p99_ms=cuts[98], bad_status=bad, socket_errors=0)


def endpoints(ids: list[int], terms: list[str]) -> dict[str, list[str]]:
    """GET /api/v1/… by short name: 1,000s of ids, 5 pages of popular, 60 searches."""
    return {
        "movies/{id}": [f"/api/v1/movies/{i}" for i in ids],
        "movies/popular": [f"/api/v1/movies/popular?page={p}" for p in range(1, 6)],
        "movies/search?q=": [f"/api/v1/movies/search?q={quote(t)}" for t in terms],
    }


def main(log_dir: Path) -> dict:
    wrk.require_wrk()
    with running_tmdb_server(movies=5_000) as server:
        settings = fresh_settings("movienexus_bench_reads", server.base_url)
        container = fresh_container(settings)
        ids = load_catalog(container)
        env = {**process_env(settings, free_port()), "TMDB_BASE_URL": server.base_url}
        api, api_url = start_api(env, log_dir)
        bare, bare_url = start_bare(env, log_dir)
        bare_paths = [f"/bare/{i}" for i in ids]
        store_list_pages(container, api_url)
        try:
            figures = {"bare, first": measure(bare_url, bare_paths, log_dir)}
            for name, paths in endpoints(ids, search_terms(container)).items():
                if name.startswith("movies/search"):
                    figures["search, each query's first ask"] = first_asks(api_url, paths)
                figures[name] = measure(api_url, paths, log_dir)
            figures["bare, list-page body"] = measure(bare_url, BARE_PAGE_PATHS, log_dir)
            figures["bare, last"] = measure(bare_url, bare_paths, log_dir)
        finally:
            api.stop()
            bare.stop()
    return {"movies": len(ids), "loads": figures}


AIMS = {"movies/{id}": "≥ 0.85, p99 ≤ 15 ms", "movies/popular": "≥ 0.85, p99 ≤ 15 ms",
        "movies/search?q=": "p99 ≤ 30 ms"}


def report(figures: dict, console) -> None:
    from rich.table import Table
    loads = figures["loads"]
    bare = (loads["bare, first"].rate + loads["bare, last"].rate) / 2
    bare_page = loads["bare, list-page body"].rate
    table = Table(title=f"Reads (GET /api/v1/…): wrk, {wrk.CONNECTIONS} connections, "
                        f"{SECONDS} s each, the Procfile's gunicorn (4 workers), "
                        f"{figures['movies']:,} movies; bare = Flask + one Redis GET")
    for column in ("endpoint", "req/s", "p50", "p99", "÷ bare", "aim"):
        table.add_column(column, justify="left" if column in ("endpoint", "aim") else "right")
    for name, load in loads.items():
        ratio = f"{load.rate / bare:.2f}"
        if name == "movies/popular":
            ratio += f" ({load.rate / bare_page:.2f} of a same-size body)"
        table.add_row(name, f"{load.rate:,.0f}", f"{load.p50_ms:.1f} ms",
                      f"{load.p99_ms:.1f} ms", ratio, AIMS.get(name, ""))
    console.print(table)
    failed = {n: l.bad_status + l.socket_errors for n, l in loads.items()
              if l.bad_status + l.socket_errors}
    if failed:
        console.print(f"[red]non-2xx answers or socket errors: {failed}[/red]")
