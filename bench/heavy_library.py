"""`python -m bench heavy_library`: /me/favorites and /me/watchlist of a 5,000-entry library.

One person's library is filled through the import's batch command (`ImportEntries`):
5,000 favorites (most rated) and 2,500 watchlist entries over 5,000 movies of the
bundled catalog, projected in-process. Then each documented filter and sort is read
through the same query function the endpoints use (Redis first), one read at a time:
warm (the same read again, ROUNDS times) and the first read after a change (the person
rates a favorite, adds or removes one, marks a watchlist item watched, projected as the
workers do; CHANGES times). p50 and p95 of each, beside the plain first page."""
from __future__ import annotations

import random
import time

from sqlalchemy import text

from adapters.messaging.envelope import Envelope
from bench.catalog_env import fresh_container, fresh_settings
from bench.environment import bench_settings
from bench.pipeline import percentile
from domain.catalog.commands import ImportMovie, SyncGenres
from domain.library.commands import (
    ImportEntries,
    ImportEntry,
    RemoveFavorite,
    SaveFavorite,
    SaveWatchlistItem,
)
from domain.library.model import ImportedFavorite, ImportedWatchlistItem
from read_models.queries.library_queries import EntryFilters, entries_page
from tmdb_server import shapes
from tmdb_server.generator import generate_movies

ENTRIES, SPARE, ROUNDS, CHANGES = 5000, 100, 40, 20
USER = "00000000-0000-4000-8000-000000005000"
_FAV_SORTS = ("added_at", "rating", "title", "release_date", "popularity")
_WL_SORTS = ("added_at", "watched_at", "title", "release_date", "popularity")
FAVORITE_READS = {
    "plain, page 1 (baseline)": ({}, 1), "plain, page 80": ({}, 80),
    **{f"sort={d}{s}": ({"sort": f"{d}{s}"}, 1) for s in _FAV_SORTS for d in ("-", "")
       if f"{d}{s}" != "-added_at"},
    "q=the": ({"q": "the"}, 1), "genre=18": ({"genres": [18]}, 1),
    "genre=18&genre=28": ({"genres": [18, 28]}, 1), "min_rating=7": ({"min_rating": 7}, 1),
    "q=the&min_rating=5&sort=-popularity": (
        {"q": "the", "min_rating": 5, "sort": "-popularity"}, 1)}
WATCHLIST_READS = {
    "watchlist plain": ({}, 1),
    **{f"watchlist sort={d}{s}": ({"sort": f"{d}{s}"}, 1) for s in _WL_SORTS
       for d in ("-", "") if f"{d}{s}" != "-added_at"},
    "watchlist watched=true": ({"watched": True}, 1),
    "watchlist watched=false": ({"watched": False}, 1),
    "watchlist q=the": ({"q": "the"}, 1), "watchlist genre=18": ({"genres": [18]}, 1)}


class Library:
    """The bench's person, their library and their changes, projected in-process."""

    def __init__(self, container):
        self.container, self.position, self.rng = container, 0, random.Random(5)
        self.movies = generate_movies(count=ENTRIES + SPARE)
        self.spares_held: set[int] = set()

    def fill(self) -> None:
        c = self.container
        c.handle(SyncGenres(shapes.genre_list()["genres"]))
        for movie in self.movies:
            c.handle(ImportMovie(shapes.list_item(movie)))
        rng = random.Random(5)
        entries = [ImportEntry(m.id, ImportedFavorite(rating=rng.choice([None, *range(1, 11)])),
                               ImportedWatchlistItem(watched=rng.random() < 0.5)
                               if i % 2 else None)
                   for i, m in enumerate(self.movies[:ENTRIES])]
        for i in range(0, len(entries), 500):
            c.handle(ImportEntries(USER, tuple(entries[i:i + 500])))
        self.project()

    def project(self) -> None:
        """The events written since the last call, through the projections."""
        with self.container.engine.connect() as conn:
            rows = conn.execute(text("SELECT * FROM events WHERE position > :after "
                                     "ORDER BY position"), {"after": self.position}
                                ).mappings().all()
        for row in rows:
            self.container.projection_runner.apply(Envelope.from_row(row))
            self.position = row["position"]

    def change(self, kind: str) -> None:
        """One click of the person's, projected: a rating, a favorite added or removed,
        a watchlist item marked watched or not."""
        movie = self.rng.choice(self.movies[:ENTRIES]).id
        spare = self.rng.choice(self.movies[ENTRIES:]).id
        roll = self.rng.random()
        if kind == "wl":
            command = SaveWatchlistItem(USER, movie if roll < 0.8 else spare,
                                        watched=self.rng.random() < 0.5)
        elif roll < 0.6:
            command = SaveFavorite(USER, movie, {"rating": self.rng.randint(1, 10)})
        elif spare in self.spares_held:
            self.spares_held.discard(spare)
            command = RemoveFavorite(USER, spare)
        else:
            self.spares_held.add(spare)
            command = SaveFavorite(USER, spare, {"rating": self.rng.randint(1, 10)})
        self.container.handle(command)
        self.project()


def _read(container, kind: str, args: dict, page: int) -> float:
    filters = EntryFilters(**{"sort": "-added_at", **args})
    started = time.perf_counter()
    found = entries_page(container.library_reads, USER, kind, filters, page, 20)
    took = time.perf_counter() - started
    assert found.cards, (kind, args)
    return took


def _timed(library: Library, kind: str, args: dict, page: int) -> dict:
    """Warm reads (the same read again) and first reads after a change of the person's."""
    warm, after_change = [], []
    _read(library.container, kind, args, page)
    for _ in range(ROUNDS):
        warm.append(_read(library.container, kind, args, page))
    for _ in range(CHANGES):
        library.change(kind)
        after_change.append(_read(library.container, kind, args, page))
    return {"warm": warm, "after_change": after_change}


def main(_log_dir=None) -> dict:
    name = bench_settings().database_url.rsplit("/", 1)[1] + "_heavy"
    settings = fresh_settings(name, "http://127.0.0.1:1")
    container = fresh_container(settings)
    library = Library(container)
    library.fill()
    figures = {name: _timed(library, "fav", *read) for name, read in FAVORITE_READS.items()}
    figures.update({name: _timed(library, "wl", *read)
                    for name, read in WATCHLIST_READS.items()})
    return figures


def _ms(values: list[float], p: int) -> str:
    return f"{percentile(values, p) * 1000:.1f} ms"


def report(figures: dict, console) -> None:
    from rich.table import Table
    table = Table(title=f"A {ENTRIES:,}-favorite library: reads through the endpoints' query "
                        f"(in-process, one at a time; warm: {ROUNDS} reads, after a change: "
                        f"{CHANGES} changes each; aim p50 ≤ 10 ms)")
    for column in ("read", "warm p50", "warm p95", "ratio to plain page 1",
                   "after a change p50", "after a change p95"):
        table.add_column(column, justify="left" if column == "read" else "right")
    baseline = percentile(figures["plain, page 1 (baseline)"]["warm"], 50)
    for name, timings in figures.items():
        warm, changed = timings["warm"], timings["after_change"]
        table.add_row(name, _ms(warm, 50), _ms(warm, 95),
                      f"{percentile(warm, 50) / baseline:.1f}", _ms(changed, 50),
                      _ms(changed, 95))
    console.print(table)


def worst(figures: dict) -> float:
    """The slowest p50 of any filter or sort, warm or after a change (seconds)."""
    return max(percentile(values, 50) for timings in figures.values()
               for values in timings.values())

