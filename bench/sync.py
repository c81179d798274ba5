"""A full sync of 10,000 movies (TMDb's popular list, all 500 pages) from the bundled
server into an empty catalog, then the same sync again (nothing changed): wall time,
TMDb requests per second beside the allowed rate (TMDB_RATE_LIMIT, the shared Redis
token bucket), and the 429s the client and the server saw. The server enforces TMDb's
own cap (about 50 requests/s) and answers 429 past it, as TMDb does."""
from __future__ import annotations

import os
import time
from dataclasses import replace

from sqlalchemy import text

from bench.catalog_env import fresh_container, fresh_settings
from catalog_sync.lists import sync_list
from tests.support.tmdb_server import TmdbServer, running_tmdb_server

MOVIES = 10_000
PAGES = MOVIES // 20                      # 500: TMDb's last page
SERVER_MOVIES = MOVIES + 2_000
SERVER_RATE_LIMIT = 50.0                  # TMDb's live cap is about 40-50/s per IP
CONCURRENCY = int(os.environ.get("BENCH_SYNC_CONCURRENCY", "4"))


def fetch_rate(timestamps: list[float]) -> float:
    """Requests per second over the window in which they reached the server."""
    if len(timestamps) < 2:
        return 0.0
    return (len(timestamps) - 1) / (max(timestamps) - min(timestamps))


def event_count(container) -> int:
    with container.engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM events")).scalar()


def timed_sync(container, server: TmdbServer) -> dict:
    server.reset()
    before, events_before = container.tmdb.stats.snapshot(), event_count(container)
    started = time.perf_counter()
    report = sync_list(container, "popular", pages=PAGES)
    elapsed = time.perf_counter() - started
    served, after = server.stats(), container.tmdb.stats.snapshot()
    client = {name: after[name] - before[name] for name in after}
    return {
        "movies": report.fetched, "imported": report.imported,
        "unchanged": report.unchanged, "errors": report.errors,
        "events": event_count(container) - events_before, "seconds": elapsed,
        "requests": client["requests"], "overall_rate": client["requests"] / elapsed,
        "fetch_rate": fetch_rate(served["timestamps"]), "client_429": client["rate_limited"],
        "server_429": served["by_status"].get("429", 0),
    }


def main(log_dir) -> dict:
    del log_dir  # everything runs in this process and the server subprocess
    with running_tmdb_server(movies=SERVER_MOVIES,
                             rate_limit_per_second=SERVER_RATE_LIMIT) as server:
        settings = fresh_settings("movienexus_bench_sync", server.base_url)
        container = fresh_container(replace(settings, sync_concurrency=CONCURRENCY))
        first = timed_sync(container, server)
        container.tmdb.rate_limiter.reset()
        again = timed_sync(container, server)
    return {"first": first, "again": again, "allowed_rate": settings.tmdb_rate_limit,
            "server_rate_limit": SERVER_RATE_LIMIT, "concurrency": CONCURRENCY}


def report(figures: dict, console) -> None:
    from rich.table import Table
    allowed = figures["allowed_rate"]
    table = Table(title=f"TMDb sync: popular, {PAGES} pages = {MOVIES:,} movies, from the "
                        f"bundled server (its own cap {figures['server_rate_limit']:g}/s); "
                        f"TMDB_RATE_LIMIT {allowed:g}/s, {figures['concurrency']} threads")
    table.add_column("measure")
    for column in ("into an empty catalog", "again, nothing changed"):
        table.add_column(column, justify="right")
    first, again = figures["first"], figures["again"]

    def row(label: str, render) -> None:
        table.add_row(label, render(first), render(again))

    row("movies (imported / unchanged)",
        lambda f: f"{f['movies']:,} ({f['imported']:,} / {f['unchanged']:,})")
    row("events written", lambda f: f"{f['events']:,}")
    row("wall time", lambda f: f"{f['seconds']:.1f} s")
    row("TMDb requests", lambda f: f"{f['requests']:,}")
    row("request rate while fetching (aim ≥ 90 % of allowed)",
        lambda f: f"{f['fetch_rate']:.1f}/s = {f['fetch_rate'] / allowed:.0%}")
    row("request rate over the whole sync",
        lambda f: f"{f['overall_rate']:.1f}/s = {f['overall_rate'] / allowed:.0%}")
    row("429s seen by the client / the server",
        lambda f: f"{f['client_429']} / {f['server_429']}")
    console.print(table)
