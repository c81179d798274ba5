"""`python -m bench heavy`: /me/favorites and /me/watchlist of a 5,000-entry library.

One person's library is filled through the import's batch command (`ImportEntries`):
5,000 favorites (most rated) and 2,500 watchlist entries over 5,000 movies of the
bundled catalog, projected in-process. Then each documented filter and sort is read
through the same query function the endpoints use (Redis first), p50 of ROUNDS reads,
printed beside the plain first page (the baseline: one Redis round trip)."""
from __future__ import annotations

import random
import time

from sqlalchemy import text

from bench.catalog_env import fresh_container, fresh_settings
from bench.pipeline import percentile
from domain.catalog.commands import ImportMovie, SyncGenres
from domain.library.commands import ImportEntries, ImportEntry
from domain.library.model import ImportedFavorite, ImportedWatchlistItem
from adapters.messaging.envelope import Envelope
from read_models.queries.library_queries import EntryFilters, entries_page
from tmdb_server import shapes
from tmdb_server.generator import generate_movies

ENTRIES, ROUNDS, USER = 5000, 40, "00000000-0000-4000-8000-000000005000"
FAVORITE_READS = {"plain, page 1 (baseline)": ({}, 1), "plain, page 80": ({}, 80),
                  "sort=-rating": ({"sort": "-rating"}, 1), "sort=rating": ({"sort": "rating"}, 1),
                  "q=the": ({"q": "the"}, 1), "genre=18": ({"genres": [18]}, 1),
                  "min_rating=7": ({"min_rating": 7}, 1), "sort=title": ({"sort": "title"}, 1),
                  "sort=-release_date": ({"sort": "-release_date"}, 1),
                  "sort=-popularity": ({"sort": "-popularity"}, 1)}
WATCHLIST_READS = {"watchlist plain": ({}, 1), "watchlist watched=true": ({"watched": True}, 1),
                   "watchlist sort=title": ({"sort": "title"}, 1),
                   "watchlist q=the": ({"q": "the"}, 1)}


def _fill(container) -> None:
    movies = generate_movies(count=ENTRIES)
    container.handle(SyncGenres(shapes.genre_list()["genres"]))
    for movie in movies:
        container.handle(ImportMovie(shapes.list_item(movie)))
    rng = random.Random(5)
    entries = [ImportEntry(m.id, ImportedFavorite(rating=rng.choice([None, *range(1, 11)])),
                           ImportedWatchlistItem(watched=rng.random() < 0.5) if i % 2 else None)
               for i, m in enumerate(movies)]
    for i in range(0, len(entries), 500):
        container.handle(ImportEntries(USER, tuple(entries[i:i + 500])))
    with container.engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM events ORDER BY position")).mappings().all()
    for row in rows:
        container.projection_runner.apply(Envelope.from_row(row))


def _timed(container, kind: str, args: dict, page: int) -> tuple[float, float]:
    """(p50 of ROUNDS reads, the first read: after a change it computes the ids)."""
    filters = EntryFilters(**{"sort": "-added_at", **args})
    timings = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        found = entries_page(container.library_reads, USER, kind, filters, page, 20)
        timings.append(time.perf_counter() - started)
    assert found.cards, (kind, args)
    return percentile(timings, 50), timings[0]


def main(_log_dir=None) -> dict:
    settings = fresh_settings("movienexus_bench_heavy", "http://127.0.0.1:1")
    container = fresh_container(settings)
    _fill(container)
    figures = {name: _timed(container, "fav", *read) for name, read in FAVORITE_READS.items()}
    figures.update({name: _timed(container, "wl", *read)
                    for name, read in WATCHLIST_READS.items()})
    return figures


def report(figures: dict, console) -> None:
    from rich.table import Table
    table = Table(title=f"A {ENTRIES:,}-favorite library: reads through the endpoints' query "
                        f"(in-process, {ROUNDS} reads each)")
    table.add_column("read")
    table.add_column("p50", justify="right")
    table.add_column("ratio to plain page 1", justify="right")
    table.add_column("first read after a change", justify="right")
    baseline = figures["plain, page 1 (baseline)"][0]
    for name, (p50, first) in figures.items():
        aim = "" if "plain" in name else " (aim ≤ 10 ms)"
        table.add_row(name + aim, f"{p50 * 1000:.1f} ms", f"{p50 / baseline:.1f}",
                      f"{first * 1000:.1f} ms")
    console.print(table)
