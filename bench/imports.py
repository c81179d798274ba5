"""`python -m bench imports`: POST /me/imports through the real processes (the API, the
relay and both lanes' workers as the Procfile starts them, the bundled TMDb server):

- the match report's precision and recall for a noisy Letterboxd ZIP and a noisy IMDb
  CSV made from the bundled catalog (tests/support/import_files.py, as the tests);
- a 2,000-row Letterboxd import end to end: POST → status done, and POST → every entry
  projected (the person's library at the version the import left it);
- meanwhile the same person's own clicks (PUT /me/favorites/{id} adding a movie outside
  the file, then GET /me/favorites with the consistency token until it shows first;
  removed again unmeasured so the next add is new): write → read p50/p99, and how many
  clicks were refused or lost once the import is over.
"""
from __future__ import annotations

import random
import threading
import time
import uuid
from dataclasses import replace
from pathlib import Path

import requests

from bench.environment import (
    bench_settings,
    prepare,
    process_env,
    start_api,
    start_worker,
)
from bench.library import PASSWORD, project_everything, purge_queues
from bench.pipeline import percentile
from domain.catalog.commands import ImportMovie, SyncGenres
from movienexus import database
from movienexus.devtools.processes import Process, free_port
from tmdb_server import shapes

CATALOG, ROWS, CLICK_MOVIES = 2600, 2000, 40


def imports_settings():
    base = bench_settings()
    return replace(base, database_url=base.database_url + "_imports")


class Person:
    def __init__(self, api_url: str):
        self.api, self.http = f"{api_url}/api/v1", requests.Session()
        email = f"bench-{uuid.uuid4().hex[:12]}@example.com"
        self.http.post(f"{self.api}/auth/register", json={"email": email, "password": PASSWORD},
                       timeout=10).raise_for_status()
        login = self.http.post(f"{self.api}/auth/login", timeout=10,
                               json={"email": email, "password": PASSWORD}).json()
        self.http.headers["Authorization"] = f"Bearer {login['access_token']}"
        self.user_id = self.http.get(f"{self.api}/me", timeout=10).json()["id"]

    def upload(self, name: str, data: bytes) -> str:
        answer = self.http.post(f"{self.api}/me/imports", files={"file": (name, data)},
                                timeout=60)
        answer.raise_for_status()
        return answer.json()["id"]

    def finished(self, import_id: str, timeout: float = 600) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            body = self.http.get(f"{self.api}/me/imports/{import_id}", timeout=10).json()
            if body["status"] in ("done", "failed"):
                return body
            time.sleep(0.1)
        raise TimeoutError(f"import {import_id} not done in {timeout} s")



def load_catalog(container, movies) -> None:
    container.handle(SyncGenres(shapes.genre_list()["genres"]))
    for movie in movies:
        container.handle(ImportMovie(shapes.list_item(movie)))
    project_everything(container)


def quality(container, me: Person, stored, not_stored) -> dict[str, tuple[float, float]]:
    """(precision, recall) of a noisy Letterboxd ZIP and a noisy IMDb CSV, as the tests
    make them (tests/integration/test_imports.py)."""
    from adapters.db.imports import ImportStore
    from tests.support.import_files import (
        ImdbRatings,
        LetterboxdExport,
        precision_recall,
    )
    export, pool = LetterboxdExport(seed=7), random.Random(8).sample(stored, 240)
    for file, chosen in (("ratings.csv", pool[:120]), ("watchlist.csv", pool[120:170]),
                         ("watched.csv", pool[170:220]), ("likes/films.csv", pool[220:])):
        for movie in chosen:
            export.add(file, movie)
    for n in range(20):
        export.add_invented(["ratings.csv", "watchlist.csv"][n % 2])
    ratings = ImdbRatings(seed=9)
    for movie in random.Random(10).sample([m for m in stored if m.imdb_id], 80):
        ratings.add(movie)
    for movie in not_stored[:20]:
        ratings.add(movie)
    for movie in random.Random(11).sample(stored, 40):
        ratings.add(movie, imdb_id=f"tt8{movie.id:07d}", noise=True)
    for _ in range(10):
        ratings.add_invented()
    store, found = ImportStore(container.engine), {}
    for name, (filename, data, truth) in {
            "Letterboxd ZIP": ("letterboxd.zip", export.zip(), export.truth),
            "IMDb CSV": ("ratings.csv", ratings.csv(), ratings.truth)}.items():
        import_id = me.upload(filename, data)
        me.finished(import_id)
        found[name] = precision_recall(truth, store.rows(import_id))
    return found


def big_file(stored) -> bytes:
    """A ROWS-row noisy Letterboxd ZIP of movies the person's clicks never touch."""
    from tests.support.import_files import LetterboxdExport
    export = LetterboxdExport(seed=16)
    files = ("ratings.csv", "watched.csv", "watchlist.csv", "likes/films.csv")
    for n, movie in enumerate(stored[:ROWS]):
        export.add(files[n % 4], movie)
    return export.zip()


def clicks_while(me: Person, movie_ids: list[int], running: threading.Event) -> dict:
    """The person's own clicks while the import runs: write → read with the token."""
    latencies, failed, last = [], 0, {}
    n = 0
    while running.is_set():
        movie, rating = movie_ids[n % len(movie_ids)], n % 10 + 1
        n += 1
        if movie in last:
            failed += me.http.delete(f"{me.api}/me/favorites/{movie}",
                                     timeout=30).status_code != 204
        put = me.http.put(f"{me.api}/me/favorites/{movie}", json={"rating": rating},
                          timeout=30)
        written = time.perf_counter()
        if put.status_code not in (200, 201):
            failed += 1
            continue
        last[movie] = rating
        headers = {"X-Consistency-Token": put.headers["X-Consistency-Token"]}
        while True:
            page = me.http.get(f"{me.api}/me/favorites?page_size=1", headers=headers,
                               timeout=30).json()
            if page["items"] and page["items"][0]["movie"]["tmdb_id"] == movie and \
                    page["items"][0]["rating"] == rating:
                break
            headers = {}
        latencies.append(time.perf_counter() - written)
        time.sleep(0.05)
    return {"latencies": latencies, "failed": failed, "last": last}


def lost_clicks(container, me: Person, last: dict[int, int]) -> int:
    from tests.support.library import fully_applied
    while not fully_applied(container, me.user_id):
        time.sleep(0.1)
    lost = 0
    for movie, rating in last.items():
        answer = me.http.get(f"{me.api}/movies/{movie}", timeout=10).json()
        lost += answer["me"]["rating"] != rating
    return lost


def timed_import(container, me: Person, data: bytes, clickable: list[int]) -> dict:
    running, result = threading.Event(), {}
    running.set()
    clicker = threading.Thread(target=lambda: result.update(
        clicks_while(me, clickable, running)), daemon=True)
    started = time.perf_counter()
    import_id = me.upload("letterboxd.zip", data)
    clicker.start()
    body = me.finished(import_id)
    done = time.perf_counter() - started
    from tests.support.library import fully_applied
    while not fully_applied(container, me.user_id):
        time.sleep(0.05)
    visible = time.perf_counter() - started
    running.clear()
    clicker.join(timeout=60)
    return {"done": done, "visible": visible, "status": body["status"],
            "rows": body["progress"]["total"],
            "written": (body["report"] or {}).get("written", 0), **result,
            "lost": lost_clicks(container, me, result.get("last", {}))}


def main(log_dir: Path) -> dict:
    from tests.support.library import served_movies
    from tests.support.smtp import start_smtp
    from tests.support.tmdb_server import running_tmdb_server
    settings = imports_settings()
    database.recreate_database(settings.database_url)
    container = prepare(settings)
    served = served_movies()
    stored = random.Random(16).sample(served, CATALOG)
    stored_ids = {m.id for m in stored}
    not_stored = [m for m in served if m.id not in stored_ids and m.imdb_id][:40]
    load_catalog(container, stored)
    purge_queues(settings)
    smtp_port = free_port()
    smtp, _inbox = start_smtp(smtp_port)
    processes: list[Process] = []
    with running_tmdb_server() as tmdb:
        env = {**process_env(settings, smtp_port), "TMDB_BASE_URL": tmdb.base_url}
        try:
            processes += [start_worker(env, log_dir), start_worker(env, log_dir, "reactions"),
                          start_worker(env, log_dir, "catalog")]
            processes.append(Process("relay", env, log_dir).start())
            api, api_url = start_api(env, log_dir)
            processes.append(api)
            found = quality(container, Person(api_url), stored[ROWS:], not_stored)
            clickable = [m.id for m in stored[-CLICK_MOVIES:]]
            big = timed_import(container, Person(api_url), big_file(stored), clickable)
        finally:
            for process in processes:
                process.stop()
            smtp.stop()
    return {"quality": found, "big": big}


def report(figures: dict, console) -> None:
    from rich.table import Table
    table = Table(title="Imports through the real workers (POST /me/imports → GET "
                        "/me/imports/{id})")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for name, (precision, recall) in figures["quality"].items():
        table.add_row(f"{name}: precision (aim ≥ 0.97)", f"{precision:.3f}")
        table.add_row(f"{name}: recall", f"{recall:.3f}")
    big = figures["big"]
    table.add_row(f"{big['rows']:,}-row Letterboxd ZIP: POST → {big['status']}",
                  f"{big['done']:.1f} s")
    table.add_row("  POST → every entry in GET /me/favorites", f"{big['visible']:.1f} s")
    table.add_row("  entries written", f"{big['written']:,}")
    latencies = big.get("latencies") or [0.0]
    table.add_row(f"  meanwhile, the person's own clicks ({len(latencies)}): "
                  f"PUT → GET with the token, p50", f"{percentile(latencies, 50) * 1000:.1f} ms")
    table.add_row("  the same, p99", f"{percentile(latencies, 99) * 1000:.1f} ms")
    table.add_row("  clicks refused (conflict or error) / lost after the import",
                  f"{big.get('failed', 0)} / {big['lost']}")
    console.print(table)
