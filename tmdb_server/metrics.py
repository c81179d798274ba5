"""The numbers of a generated movie: status, popularity, votes, money, runtime.

Each function draws from the RNG it is given; the shapes imitate TMDb's catalog:
popularity log-normal and heavy-tailed, vote counts heavy-tailed and growing with
popularity and age, vote averages around 6.3, budgets often unknown (0).
"""
from __future__ import annotations

import math
from datetime import date
from random import Random

_GENRE_RATING_SHIFT = {27: -0.6, 10770: -0.3, 878: -0.1, 99: 0.5, 16: 0.4, 18: 0.2, 36: 0.3}
_SHORT_GENRES = {16: 92, 99: 95, 10770: 88}
_MAX_BUDGET = 400_000_000
_MAX_REVENUE = 2_900_000_000


def status(rng: Random, release: date | None, today: date) -> str:
    """TMDb's status: Released for the past, a production stage for the future."""
    if release is None:
        return "Rumored"
    days_ahead = (release - today).days
    if days_ahead <= 0:
        return "Released"
    if rng.random() < 0.01:
        return "Canceled"
    if days_ahead <= 180:
        return "Post Production" if rng.random() < 0.8 else "In Production"
    if days_ahead <= 400:
        return "In Production" if rng.random() < 0.6 else "Planned"
    return "Planned"


def popularity(rng: Random, age_years: float, sequel: bool) -> float:
    """Log-normal base, boosted for recent and upcoming films and for sequels."""
    base = rng.lognormvariate(1.6, 1.25)
    recency = 1.0 + 4.0 * math.exp(-max(age_years, 0.0) / 1.5)
    if age_years < 0:
        recency = 1.0 + 2.0 * math.exp(age_years)
    boost = 1.4 if sequel else 1.0
    return round(max(0.6, base * recency * boost), 3)


def vote_count(rng: Random, popularity_: float, age_years: float, released: bool) -> int:
    """Votes grow with popularity and with years on release; unreleased films have none."""
    if not released or rng.random() < 0.04:
        return 0
    years_out = min(max(age_years, 0.05), 15.0)
    expected = 2.0 * popularity_ ** 1.15 * years_out ** 0.7
    return int(expected * rng.lognormvariate(0.0, 0.9))


def vote_average(rng: Random, count: int, genre_ids: tuple[int, ...]) -> float:
    """Around 6.3, wider when few people voted, shifted a little by genre; 0 without votes."""
    if count == 0:
        return 0.0
    shift = sum(_GENRE_RATING_SHIFT.get(g, 0.0) for g in genre_ids[:2])
    value = rng.gauss(6.3 + shift, 0.8 + 1.5 / math.sqrt(count))
    return round(min(10.0, max(1.0, value)), 3)


def budget_and_revenue(rng: Random, popularity_: float, year: int | None,
                       released: bool) -> tuple[int, int]:
    """Often 0 (unknown) like TMDb; older films cost less; revenue only once released."""
    if year is None or rng.random() < 0.35:
        return 0, 0
    era = 0.03 + min(1.0, max(0.0, (year - 1930) / 90.0)) ** 2
    scale = math.log(15_000_000 * era) + 0.5 * math.log(max(popularity_, 1.0) / 5.0)
    budget = min(_MAX_BUDGET, int(rng.lognormvariate(scale, 1.0)) // 100_000 * 100_000)
    if not released or rng.random() < 0.2:
        return budget, 0
    return budget, min(_MAX_REVENUE, int(budget * rng.lognormvariate(0.6, 0.9)))


def runtime(rng: Random, genre_ids: tuple[int, ...], status_: str) -> int:
    """Minutes; 0 for films not shot yet and for a few unknown ones."""
    if status_ in ("Planned", "Rumored") or rng.random() < 0.02:
        return 0
    mean = next((_SHORT_GENRES[g] for g in genre_ids if g in _SHORT_GENRES), 108)
    return int(min(220, max(62, rng.gauss(mean, 16))))
