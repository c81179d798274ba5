"""TMDb's movie lists: popular, top rated, now playing, upcoming, trending.

Each builder turns the catalog's movies into an ordered list; the catalog caches
the result until the next change.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from .catalog import Catalog
from .model import Movie

TOP_RATED_MIN_VOTES = 300
NOW_PLAYING_DAYS = 42
UPCOMING_DAYS = 60
_TRENDING_HALF_LIFE_DAYS = {"day": 45.0, "week": 180.0}
_TRENDING_BOOST = {"day": 8.0, "week": 4.0}


@dataclass(frozen=True)
class DatedList:
    """now_playing and upcoming also report the window of release dates they cover."""

    movies: list[Movie]
    minimum: date
    maximum: date


def _by_popularity(movies: list[Movie]) -> list[Movie]:
    return sorted(movies, key=lambda m: (-m.popularity, m.id))


def popular(catalog: Catalog) -> list[Movie]:
    return catalog.cached("popular", _by_popularity)


def top_rated(catalog: Catalog) -> list[Movie]:
    def build(movies: list[Movie]) -> list[Movie]:
        rated = [m for m in movies if m.vote_count >= TOP_RATED_MIN_VOTES]
        return sorted(rated, key=lambda m: (-m.vote_average, -m.vote_count, m.id))
    return catalog.cached("top_rated", build)


def now_playing(catalog: Catalog) -> DatedList:
    """Released in the six weeks up to the catalog's today, most popular first."""
    maximum = catalog.today
    minimum = maximum - timedelta(days=NOW_PLAYING_DAYS)
    return DatedList(_released_between(catalog, "now_playing", minimum, maximum), minimum, maximum)


def upcoming(catalog: Catalog) -> DatedList:
    """Coming out in the two months after the catalog's today, most popular first."""
    minimum = catalog.today + timedelta(days=1)
    maximum = catalog.today + timedelta(days=UPCOMING_DAYS)
    return DatedList(_released_between(catalog, "upcoming", minimum, maximum), minimum, maximum)


def _released_between(catalog: Catalog, name: str, first: date, last: date) -> list[Movie]:
    low, high = first.isoformat(), last.isoformat()

    def build(movies: list[Movie]) -> list[Movie]:
        return _by_popularity([
            m for m in movies if low <= m.release_date <= high and m.status != "Canceled"
        ])
    return catalog.cached(f"{name}:{low}:{high}", build)


def trending(catalog: Catalog, window: str) -> list[Movie]:
    """Popularity boosted by how recent the release is; ``window`` is "day" or "week"."""
    today = catalog.today.isoformat()
    half_life = _TRENDING_HALF_LIFE_DAYS[window]
    boost = _TRENDING_BOOST[window]

    def score(movie: Movie) -> float:
        age_days = (catalog.today - date.fromisoformat(movie.release_date)).days
        return movie.popularity * (1.0 + boost * math.exp(-age_days / half_life))

    def build(movies: list[Movie]) -> list[Movie]:
        out = [m for m in movies if m.release_date and m.release_date <= today]
        return sorted(out, key=lambda m: (-score(m), m.id))
    return catalog.cached(f"trending:{window}", build)
