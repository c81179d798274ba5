"""A deterministic, realistic movie catalog generated from a seed.

Everything is drawn from one ``random.Random(seed)`` in a fixed order and no set
or hash order is ever iterated, so the same seed gives a byte-identical catalog
in any process. "Today" for statuses is ``REFERENCE_DATE``, not the wall clock,
for the same reason.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from random import Random

from . import media, metrics, texts
from .model import Collection, Keyword, Movie
from .reference import GENRE_WEIGHTS, LANGUAGE_WEIGHTS
from .titles import TitleMaker
from .words import GENRE_KEYWORDS

DEFAULT_SEED = 42
DEFAULT_COUNT = 10_000
REFERENCE_DATE = date(2026, 11, 25)
FIRST_DAY = date(1930, 1, 1)
LAST_DAY = date(2027, 12, 31)

_SPAN_DAYS = (LAST_DAY - FIRST_DAY).days
_DECAY_PER_DAY = 0.045 / 365.25  # release years skew recent: median around 2012
_SEQUEL_SHARE = 0.07
_UNDATED_SHARE = 0.005
_GENRE_IDS = tuple(GENRE_WEIGHTS)
_GENRE_CUM = tuple(itertools.accumulate(GENRE_WEIGHTS.values()))
_LANGUAGES = tuple(LANGUAGE_WEIGHTS)
_LANGUAGE_CUM = tuple(itertools.accumulate(LANGUAGE_WEIGHTS.values()))
_GENRE_COUNT_CUM = (0.4, 0.8, 1.0)  # 1, 2 or 3 genres
_COLLECTION_ID_OFFSET = 2_000_000  # above every movie id: first film's id + offset


@dataclass
class _Draft:
    """What is decided first about a movie; the rest follows from it."""

    language: str
    release: date | None
    genre_ids: tuple[int, ...]
    title: str
    original_title: str
    series: list[int] = field(default_factory=list)  # filled on a series' first film
    sequel_of: int | None = None


def generate_movies(seed: int = DEFAULT_SEED, count: int = DEFAULT_COUNT, *,
                    today: date = REFERENCE_DATE) -> list[Movie]:
    """``count`` movies, ordered by id, the same for the same arguments."""
    rng = Random(seed)
    drafts = _draft_all(rng, count)
    ids, imdb_numbers = _scattered_ids(rng, drafts)
    collections = _collections(rng, drafts, ids)
    movies = [
        _movie(rng, draft, ids[i], imdb_numbers[i], collections.get(_root(drafts, i)), today)
        for i, draft in enumerate(drafts)
    ]
    return sorted(movies, key=lambda movie: movie.id)


def _draft_all(rng: Random, count: int) -> list[_Draft]:
    titles = TitleMaker(rng)
    drafts: list[_Draft] = []
    for index in range(count):
        sequel = _sequel_draft(rng, titles, drafts) if index > 20 else None
        drafts.append(sequel or _original_draft(rng, titles))
        root = drafts[-1].sequel_of
        if root is not None:
            drafts[root].series.append(index)
    return drafts


def _original_draft(rng: Random, titles: TitleMaker) -> _Draft:
    language = rng.choices(_LANGUAGES, cum_weights=_LANGUAGE_CUM)[0]
    release = _release_date(rng)
    genres = _genres(rng, language)
    if language == "en":
        title = original = titles.english()
    else:
        title, original = titles.foreign(language)
    return _Draft(language, release, genres, title, original)


def _sequel_draft(rng: Random, titles: TitleMaker, drafts: list[_Draft]) -> _Draft | None:
    """Part two (or three...) of an earlier film's series, or None."""
    if rng.random() >= _SEQUEL_SHARE:
        return None
    root_index = _root(drafts, rng.randrange(len(drafts)))
    root = drafts[root_index]
    latest = max((drafts[i].release for i in root.series), default=root.release)
    if latest is None:
        return None
    release = latest + timedelta(days=rng.randint(400, 1500))
    if release > LAST_DAY:
        return None
    title, original = titles.sequel(root.title, root.original_title, len(root.series) + 2)
    return _Draft(root.language, release, root.genre_ids, title, original, sequel_of=root_index)


def _root(drafts: list[_Draft], index: int) -> int:
    sequel_of = drafts[index].sequel_of
    return index if sequel_of is None else sequel_of


def _release_date(rng: Random) -> date | None:
    """A truncated-exponential draw back from the end of 2027, or None (unknown)."""
    if rng.random() < _UNDATED_SHARE:
        return None
    scale = 1.0 - math.exp(-_DECAY_PER_DAY * _SPAN_DAYS)
    days_back = -math.log(1.0 - rng.random() * scale) / _DECAY_PER_DAY
    return LAST_DAY - timedelta(days=min(int(days_back), _SPAN_DAYS))


def _genres(rng: Random, language: str) -> tuple[int, ...]:
    wanted = 1 + next(i for i, cum in enumerate(_GENRE_COUNT_CUM) if rng.random() < cum)
    chosen: list[int] = [16] if language == "ja" and rng.random() < 0.3 else []
    for _ in range(12):
        if len(chosen) >= wanted:
            break
        genre = rng.choices(_GENRE_IDS, cum_weights=_GENRE_CUM)[0]
        if genre not in chosen:
            chosen.append(genre)
    return tuple(chosen)


def _scattered_ids(rng: Random, drafts: list[_Draft]) -> tuple[list[int], list[int]]:
    """TMDb-like ids (scattered, older films mostly lower) and IMDb numbers."""
    count = len(drafts)
    tmdb_ids = sorted(rng.sample(range(2, 1_300_000), count))
    imdb_numbers = sorted(rng.sample(range(10_000, 9_999_999), count))
    eras = [(d.release or LAST_DAY).year + rng.gauss(0, 10) for d in drafts]
    by_era = sorted(range(count), key=lambda i: (eras[i], i))
    ids, imdb = [0] * count, [0] * count
    for rank, index in enumerate(by_era):
        ids[index], imdb[index] = tmdb_ids[rank], imdb_numbers[rank]
    return ids, imdb


def _collections(rng: Random, drafts: list[_Draft], ids: list[int]) -> dict[int, Collection]:
    """A collection for every film that has sequels, keyed by its draft index."""
    return {
        index: Collection(
            id=_COLLECTION_ID_OFFSET + ids[index],
            name=f"{draft.title} Collection",
            poster_path=media.maybe_image_path(rng, 0.1),
            backdrop_path=media.maybe_image_path(rng, 0.2),
        )
        for index, draft in enumerate(drafts)
        if draft.series
    }


def _movie(rng: Random, draft: _Draft, movie_id: int, imdb_number: int,
           collection: Collection | None, today: date) -> Movie:
    release = draft.release
    age_years = (today - release).days / 365.25 if release else 0.0
    status = metrics.status(rng, release, today)
    released = status == "Released"
    popularity = metrics.popularity(rng, age_years, draft.sequel_of is not None)
    votes = metrics.vote_count(rng, popularity, age_years, released)
    budget, revenue = metrics.budget_and_revenue(
        rng, popularity, release.year if release else None, released)
    countries, companies = media.production(rng, draft.language)
    obscure = votes < 5
    return Movie(
        id=movie_id,
        title=draft.title,
        original_title=draft.original_title,
        original_language=draft.language,
        overview=texts.overview(rng),
        tagline=texts.tagline(rng),
        genre_ids=draft.genre_ids,
        release_date=release.isoformat() if release else "",
        runtime=metrics.runtime(rng, draft.genre_ids, status),
        status=status,
        popularity=popularity,
        vote_count=votes,
        vote_average=metrics.vote_average(rng, votes, draft.genre_ids),
        budget=budget,
        revenue=revenue,
        imdb_id=None if status in ("Planned", "Rumored") else media.imdb_id(imdb_number),
        homepage=media.homepage(rng, draft.title, companies[0] if companies else None),
        poster_path=media.maybe_image_path(rng, 0.25 if obscure else 0.03),
        backdrop_path=media.maybe_image_path(rng, 0.5 if obscure else 0.1),
        origin_country=(countries[0].iso_3166_1,),
        production_companies=companies,
        production_countries=countries,
        spoken_languages=media.spoken_languages(rng, draft.language),
        keywords=_keywords(rng, draft.genre_ids),
        collection=collection,
    )


def _keywords(rng: Random, genre_ids: tuple[int, ...]) -> tuple[Keyword, ...]:
    pool = {kw: None for g in genre_ids for kw in GENRE_KEYWORDS[g]}
    chosen = rng.sample(list(pool), min(len(pool), rng.randint(2, 5)))
    return tuple(Keyword(id=kw_id, name=name) for kw_id, name in sorted(chosen))
