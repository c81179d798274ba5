"""`python -m bench catalog`: what used to be timed inside two tests, as figures.

- generating the bundled server's 10,000-movie catalog, beside building the same
  number of plain dicts of its fields (the baseline: the cost of the objects alone);
- ranked search over 6,000 stored movies, p50/p99 per query, beside a `SELECT 1`
  round trip on the same engine.
"""
from __future__ import annotations

import dataclasses
import statistics
import time

from rich.console import Console
from rich.table import Table
from sqlalchemy import text

from read_models.queries import catalog_queries as queries
from tmdb_server.generator import DEFAULT_COUNT, DEFAULT_SEED, generate_movies

QUERIES = 200


def timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def percentile(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100)[p - 1] if len(values) > 1 else values[0]


def main(_log_dir) -> dict:
    from tests.support.catalog import catalog_world
    from tests.support.env import apply_test_environment
    from tests.support.tmdb_server import running_tmdb_server
    apply_test_environment()
    from movienexus.config import Settings
    generate = timed(lambda: generate_movies(DEFAULT_SEED, DEFAULT_COUNT))
    movies = generate_movies(DEFAULT_SEED, DEFAULT_COUNT)
    baseline = timed(lambda: [dataclasses.asdict(m) for m in movies])
    with running_tmdb_server() as server:
        world = catalog_world(Settings(), server.base_url)
    engine = world.container.engine
    titles = [m.title for m in world.stored[:QUERIES]]
    searches = [timed(lambda q=q: queries.search(engine, q, 1, 20)) for q in titles]
    with engine.connect() as conn:
        trips = [timed(lambda: conn.execute(text("SELECT 1")).scalar()) for _ in titles]
    return {"generate": generate, "baseline": baseline, "searches": searches,
            "trips": trips, "import": world.import_seconds,
            "project": world.project_seconds, "stored": len(world.stored)}


def report(figures: dict, console: Console) -> None:
    table = Table(title="Catalog: generation, build and search")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row(f"generate {DEFAULT_COUNT:,} movies", f"{figures['generate']:.2f} s")
    table.add_row("  baseline: as many plain dicts of their fields",
                  f"{figures['baseline']:.2f} s")
    table.add_row(f"import {figures['stored']:,} movies (commands) + project",
                  f"{figures['import']:.1f} s + {figures['project']:.1f} s")
    for name, values in (("search, one query", figures["searches"]),
                         ("  baseline: SELECT 1 round trip", figures["trips"])):
        table.add_row(f"{name} p50 / p99", f"{percentile(values, 50) * 1000:.2f} / "
                                           f"{percentile(values, 99) * 1000:.2f} ms")
    console.print(table)
