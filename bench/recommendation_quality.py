"""Offline quality of /me/recommendations: precision@10 and recall@10 on held-out
favorites of a synthetic population, beside a popularity baseline on the same split.

The catalog is the bundled TMDb server's generated one (CATALOG movies, seed 42) with
its genres, years and TMDb recommendation / similar graph (tmdb_server.related, the
code the server answers /movie/{id}/recommendations with), imported through the
catalog's commands. Each synthetic person has a latent taste (see `Taste`); their
favorites are drawn from it, 20 % of each person's favorites are hidden, the other 80 %
are written through SaveFavorite and projected like any write, and the recommender
then runs for every person exactly as the worker runs it. A hit is a hidden favorite
in the person's first 10 recommendations (read back through the same query the API
uses). The popularity baseline recommends the most-favorited training movies the person
does not already hold.
"""
from __future__ import annotations

import math
import random
import statistics
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy import text

from bench.environment import bench_settings
from domain.catalog.commands import ImportMovie, RefreshRelations, SyncGenres
from domain.library.commands import SaveFavorite
from movienexus import database
from movienexus.bootstrap import Container
from read_models.queries import library_queries
from adapters.messaging.envelope import Envelope
from tmdb_server import shapes
from tmdb_server.catalog import Catalog
from tmdb_server.model import Movie

CATALOG = 3000
PEOPLE = 600
HIDDEN_SHARE = 0.2
K = 10
SEED = 2026


@dataclass
class Taste:
    """A person's latent taste: liked genres with weights, a favorite decade and how
    far from it they go, how mainstream they are, how often they follow TMDb's
    recommendations from a movie they already love, and how many favorites they keep."""

    genres: dict[int, float]
    decade: int
    spread: float            # in decades
    mainstream: float        # exponent on popularity
    follows_graph: float     # probability a next favorite comes from the graph
    favorites: int

    def affinity(self, movie: Movie) -> float:
        genre = sum(self.genres.get(g, 0.0) for g in movie.genre_ids)
        year = movie.year or 2000
        distance = (year // 10 * 10 - self.decade) / 10 / self.spread
        return genre * math.exp(-distance * distance / 2) + 0.002


def draw_taste(rng: random.Random, genre_share: dict[int, float],
               decades: list[int]) -> Taste:
    genre_ids = list(genre_share)
    liked = set()
    while len(liked) < rng.choice((1, 2, 2, 3)):
        liked.add(rng.choices(genre_ids, weights=[genre_share[g] for g in genre_ids])[0])
    weights = {g: rng.gammavariate(1.0, 1.0) for g in sorted(liked)}
    total = sum(weights.values())
    return Taste(genres={g: w / total for g, w in weights.items()},
                 decade=rng.choice(decades), spread=rng.choice((0.7, 1.0, 1.5, 2.5)),
                 mainstream=rng.uniform(0.3, 1.0), follows_graph=rng.uniform(0.2, 0.6),
                 favorites=min(8 + int(rng.expovariate(1 / 16)), 60))


@dataclass
class Person:
    id: str
    taste: Taste
    favorites: list[tuple[int, int | None]] = field(default_factory=list)  # (id, rating)
    hidden: set[int] = field(default_factory=set)

    @property
    def training(self) -> list[tuple[int, int | None]]:
        return [(m, r) for m, r in self.favorites if m not in self.hidden]


def draw_person(rng: random.Random, taste: Taste, catalog: Catalog,
                movies: list[Movie]) -> Person:
    """Favorites drawn from the taste: ∝ affinity × popularity^mainstream, or, with
    probability follows_graph, a walk from a random earlier favorite to one of its TMDb
    recommendations (∝ affinity / rank). Ratings follow the affinity, with noise; a
    quarter are left unrated."""
    weights = [taste.affinity(m) * (1 + m.popularity) ** taste.mainstream for m in movies]
    by_id = {m.id: m for m in movies}
    chosen: list[int] = []
    while len(chosen) < taste.favorites:
        pick = None
        if chosen and rng.random() < taste.follows_graph:
            start = rng.choice(chosen)
            near = [m for m in catalog.recommendations(start) if m.id not in chosen]
            if near:
                pick = rng.choices(near, weights=[taste.affinity(m) / (rank + 1)
                                                  for rank, m in enumerate(near)])[0].id
        if pick is None:
            pick = rng.choices(movies, weights=weights)[0].id
        if pick not in chosen:
            chosen.append(pick)
    top = max(taste.affinity(by_id[m]) for m in chosen)
    person = Person(str(uuid.uuid4()), taste)
    for movie_id in chosen:
        fit = taste.affinity(by_id[movie_id]) / top
        rating = min(10, max(1, round(4 + 5 * fit + rng.gauss(0, 1.5))))
        person.favorites.append((movie_id, None if rng.random() < 0.25 else rating))
    hide = max(1, round(len(chosen) * HIDDEN_SHARE))
    person.hidden = set(rng.sample(chosen, hide))
    return person


def load_catalog(container: Container, catalog: Catalog) -> list[Movie]:
    movies = catalog.movies()
    container.handle(SyncGenres(shapes.genre_list()["genres"]))
    for movie in movies:
        container.handle(ImportMovie(shapes.list_item(movie)))
    for movie in movies:
        container.handle(RefreshRelations(movie.id, "recommendations",
                                          [m.id for m in catalog.recommendations(movie.id)]))
        container.handle(RefreshRelations(movie.id, "similar",
                                          [m.id for m in catalog.similar(movie.id)]))
    return movies


def project_new(container: Container, after: int) -> int:
    with container.engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM events WHERE position > :p ORDER BY position"),
                            {"p": after}).mappings().all()
    for row in rows:
        container.projection_runner.apply(Envelope.from_row(row))
    return rows[-1]["position"] if rows else after


def precision_recall(recommended: list[int], hidden: set[int]) -> tuple[float, float]:
    hits = len(set(recommended[:K]) & hidden)
    return hits / K, hits / len(hidden)


def main(_log_dir: Path | None = None) -> dict:
    base = bench_settings()
    settings = replace(base, database_url=base.database_url + "_recommendations")
    database.recreate_database(settings.database_url)
    container = Container(settings, request_recommendations=lambda _user: None,
                          inline_folds=True)
    container.redis.flushdb()
    rng = random.Random(SEED)
    started = time.perf_counter()
    catalog = Catalog.generated(count=CATALOG)
    movies = load_catalog(container, catalog)
    position = project_new(container, 0)

    genre_share = Counter(g for m in movies for g in m.genre_ids)
    decades = [m.year // 10 * 10 for m in movies if m.year]
    people = [draw_person(rng, draw_taste(rng, genre_share, decades), catalog, movies)
              for _ in range(PEOPLE)]
    for person in people:
        for movie_id, rating in person.training:
            container.handle(SaveFavorite(person.id, movie_id,
                                          {} if rating is None else {"rating": rating}))
    project_new(container, position)
    container.movie_counters.fold_all()
    loaded = time.perf_counter()

    popularity = Counter(m for p in people for m, _ in p.training)
    ranked_by_count = [m for m, _ in popularity.most_common()]
    ours, baseline, seconds = [], [], []
    for person in people:
        began = time.perf_counter()
        container.recommender.recompute(person.id)
        seconds.append(time.perf_counter() - began)
        page = library_queries.recommendations_page(container.library_reads, person.id, 1, K)
        recommended = [_tmdb_id(item) for item in page.cards]
        ours.append(precision_recall(recommended, person.hidden))
        held = {m for m, _ in person.training}
        popular = [m for m in ranked_by_count if m not in held][:K]
        baseline.append(precision_recall(popular, person.hidden))
    return {
        "signals": {signal: _alone(container, people, signal) for signal in ("co", "tmdb",
                                                                              "taste")},
        "people": PEOPLE, "movies": len(movies),
        "favorites": sum(len(p.favorites) for p in people),
        "hidden": sum(len(p.hidden) for p in people),
        "ours": _means(ours), "popularity": _means(baseline),
        "recompute_p50_ms": statistics.median(seconds) * 1000,
        "load_seconds": loaded - started,
    }


def _alone(container: Container, people: list[Person], signal: str) -> tuple[float, float]:
    """The same split with one signal only (an ablation: which signal does the work)."""
    from read_models.recommender import recommendations
    kept = dict(recommendations.WEIGHTS)
    recommendations.WEIGHTS.update({name: float(name == signal) for name in kept})
    try:
        found = []
        for person in people:
            ranked = [r.tmdb_id for r in container.recommender.recompute(person.id)
                      if r.score > 0]
            found.append(precision_recall(ranked, person.hidden))
    finally:
        recommendations.WEIGHTS.update(kept)
    return _means(found)


def _tmdb_id(item: bytes) -> int:
    import json
    return json.loads(item)["movie"]["tmdb_id"]


def _means(pairs: list[tuple[float, float]]) -> tuple[float, float]:
    return (statistics.fmean(p for p, _ in pairs), statistics.fmean(r for _, r in pairs))


def report(figures: dict, console) -> None:
    from rich.table import Table
    table = Table(title=f"Recommendation quality, offline: {figures['people']} synthetic "
                        f"people, {figures['favorites']:,} favorites over "
                        f"{figures['movies']:,} movies, {figures['hidden']:,} hidden (20 %)")
    for column in ("recommender", "precision@10", "recall@10", "÷ popularity (precision)"):
        table.add_column(column, justify="left" if column == "recommender" else "right")
    ours, popular = figures["ours"], figures["popularity"]
    table.add_row("popularity (most favorited in training)", f"{popular[0]:.4f}",
                  f"{popular[1]:.4f}", "1.00")
    labels = {"co": "  co-favorites only", "tmdb": "  TMDb's graph only",
              "taste": "  genre × decade taste only"}
    for signal, (precision, recall) in figures["signals"].items():
        table.add_row(labels[signal], f"{precision:.4f}", f"{recall:.4f}",
                      f"{precision / popular[0]:.2f}" if popular[0] else "-")
    table.add_row("/me/recommendations (all three)", f"{ours[0]:.4f}", f"{ours[1]:.4f}",
                  f"{ours[0] / popular[0]:.2f} (aim ≥ 1.5)" if popular[0] else "-")
    console.print(table)
    console.print(f"recompute per person, p50: {figures['recompute_p50_ms']:.1f} ms; "
                  f"catalog + population written and projected in "
                  f"{figures['load_seconds']:.0f} s")


if __name__ == "__main__":
    from rich.console import Console
    report(main(), Console())
