"""Deterministic drift: what changes in the catalog at each tick.

Tick ``n`` of a catalog seeded ``s`` draws from ``Random("s:drift:n")`` over the
movies ordered by id, so two catalogs with the same seed, history and tick
change the same movies in the same way.
"""
from __future__ import annotations

from dataclasses import replace
from random import Random
from typing import Any, Sequence

from . import texts
from .model import Movie

DRIFT_SHARE = 0.005  # of the catalog changed per tick (at least one movie)


def drift(movies: Sequence[Movie], seed: int, tick: int,
          share: float = DRIFT_SHARE) -> list[Movie]:
    """New versions of the movies that change at ``tick``; ``movies`` ordered by id."""
    if not movies:
        return []
    rng = Random(f"{seed}:drift:{tick}")
    count = min(len(movies), max(1, round(len(movies) * share)))
    chosen = sorted(rng.sample(range(len(movies)), count))
    return [replace(movies[i], **_changes(rng, movies[i])) for i in chosen]


def _changes(rng: Random, movie: Movie) -> dict[str, Any]:
    changes: dict[str, Any] = {
        "popularity": round(max(0.6, movie.popularity * rng.lognormvariate(0.0, 0.3)), 3),
    }
    if movie.status == "Released":
        changes.update(_new_votes(rng, movie))
    if rng.random() < 0.1:
        changes["overview"] = texts.overview(rng)
    return changes


def _new_votes(rng: Random, movie: Movie) -> dict[str, Any]:
    added = 1 + int(rng.expovariate(1.0 / (1.0 + movie.vote_count * 0.02)))
    count = movie.vote_count + added
    new_votes_average = min(10.0, max(1.0, rng.gauss(movie.vote_average or 6.3, 1.5)))
    average = (movie.vote_average * movie.vote_count + new_votes_average * added) / count
    return {"vote_count": count, "vote_average": round(average, 3)}
