"""`python -m bench lanes`: people before bulk.

A person's write → read lag (PATCH /me, then the first GET /me that shows it, no
token sent) on an idle system, beside the same lag while a 10,000-movie sync (TMDb's
popular list, 500 pages, from the bundled server, run by the catalog worker as beat
would have it) fills the catalog lane. Everything
runs as `make run` runs it: the relay, both lanes' workers and gunicorn from the
Procfile, with the Procfile's concurrency."""
from __future__ import annotations

import time
import uuid

import requests
from sqlalchemy import text

from bench.catalog_env import fresh_container, fresh_settings
from bench.environment import process_env, start_api, start_worker
from adapters.messaging.topology import SYNC_TASK
from bench.pipeline import PASSWORD, percentile
from movienexus.bootstrap import Container
from movienexus.devtools.processes import Process, free_port
from tests.support.tmdb_server import running_tmdb_server

PAGES, IDLE_ROUNDS, MIN_BUSY_ROUNDS = 500, 200, 100


class Person:
    def __init__(self, api_url: str):
        self.url, self.http = f"{api_url}/api/v1", requests.Session()
        email = f"lanes-{uuid.uuid4().hex[:12]}@example.com"
        self.http.post(f"{self.url}/auth/register", json={"email": email, "password": PASSWORD})
        login = self.http.post(f"{self.url}/auth/login",
                               json={"email": email, "password": PASSWORD}).json()
        self.http.headers["Authorization"] = f"Bearer {login['access_token']}"
        self.writes = self.stale = 0

    def write_then_read(self) -> float:
        """Seconds from the PATCH's answer to the GET that shows it (counted stale if
        the first GET did not)."""
        self.writes += 1
        bio = f"bio {self.writes}"
        self.http.patch(f"{self.url}/me", json={"profile": {"bio": bio}}).raise_for_status()
        written, first = time.perf_counter(), True
        while self.http.get(f"{self.url}/me").json()["profile"].get("bio") != bio:
            self.stale += first
            first = False
        return time.perf_counter() - written


class SyncOnTheCatalogWorker:
    """The popular list's sync as beat sends it: a `catalog.sync` task that the catalog
    worker runs (SYNC_LIST_PAGES=500), done once every movie is in read_movies."""

    def __init__(self, settings):
        from workers.celery_app import make_celery
        self.engine = Container(settings).engine
        make_celery(settings).send_task(SYNC_TASK, args=("popular",))

    def running(self) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM read_movies")).scalar() < PAGES * 20


def main(log_dir) -> dict:
    from tests.support.smtp import start_smtp
    with running_tmdb_server(movies=PAGES * 20 + 2_000) as server:
        settings = fresh_settings("movienexus_bench_lanes", server.base_url)
        fresh_container(settings)
        smtp_port = free_port()
        smtp, _inbox = start_smtp(smtp_port)
        env = {**process_env(settings, smtp_port), "TMDB_BASE_URL": server.base_url,
               "SEED_EMPTY_CATALOG": "false", "SYNC_LIST_PAGES": str(PAGES)}
        processes = [Process("relay", env, log_dir).start(),
                     start_worker(env, log_dir, "people"), start_worker(env, log_dir, "reactions"),
                     start_worker(env, log_dir, "catalog")]
        try:
            api, url = start_api(env, log_dir)
            processes.append(api)
            person = Person(url)
            idle = [person.write_then_read() for _ in range(IDLE_ROUNDS)]
            idle_stale = person.stale
            started = time.perf_counter()
            syncing = SyncOnTheCatalogWorker(settings)
            busy = []
            while syncing.running() or len(busy) < MIN_BUSY_ROUNDS:
                busy.append(person.write_then_read())
            sync_seconds = time.perf_counter() - started
        finally:
            for process in processes:
                process.stop()
            smtp.stop()
    return {"idle": idle, "busy": busy, "idle_stale": idle_stale,
            "busy_stale": person.stale - idle_stale, "sync_seconds": sync_seconds}


def report(figures: dict, console) -> None:
    from rich.table import Table
    table = Table(title="Lanes: a person's write → read lag (no token), idle and during a "
                        f"{PAGES * 20:,}-movie sync")
    table.add_column("measure")
    table.add_column("idle (baseline)", justify="right")
    table.add_column("during the sync", justify="right")
    idle, busy = figures["idle"], figures["busy"]
    for label, p in (("p50", 50), ("p99 (aim ≤ 50 ms during the sync)", 99)):
        table.add_row(label, f"{percentile(idle, p) * 1000:.1f} ms",
                      f"{percentile(busy, p) * 1000:.1f} ms")
    table.add_row("writes measured", str(len(idle)), str(len(busy)))
    table.add_row("first read not showing the write", str(figures["idle_stale"]),
                  str(figures["busy_stale"]))
    table.add_row("sync wall time", "", f"{figures['sync_seconds']:.1f} s")
    console.print(table)
