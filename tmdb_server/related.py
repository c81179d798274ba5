"""Recommendations and similar movies, derived from genres, years and keywords.

The index is built once from the catalog as loaded (cheap: a sort per genre);
each movie's two lists are computed the first time they are asked for and then
kept, so start-up stays fast. The lists depend only on the loaded data, so they
are as deterministic as the catalog itself.
"""
from __future__ import annotations

import math
from bisect import bisect_left
from typing import Callable, Iterable

from .model import Movie

LIST_SIZE = 20
_WINDOW = 25  # neighbours taken on each side within a genre, by release date
_RARE_KEYWORD = 60  # a keyword shared by more movies than this says little
Score = Callable[["_Features", "_Features"], float]


class RelatedIndex:
    """Answers "similar" and "recommendations" id lists for the movies it was built from."""

    def __init__(self, movies: Iterable[Movie]) -> None:
        self._features = {movie.id: _Features(movie) for movie in movies}
        loaded = [features.movie for features in self._features.values()]
        self._by_genre = _genre_timelines(loaded)
        self._keyword_postings = _rare_keyword_postings(loaded)
        self._similar: dict[int, tuple[int, ...]] = {}
        self._recommended: dict[int, tuple[int, ...]] = {}

    def similar(self, movie_id: int) -> tuple[int, ...]:
        """Movies closest in genres, keywords and release year."""
        if movie_id not in self._similar:
            self._similar[movie_id] = self._rank(movie_id, self._similarity)
        return self._similar[movie_id]

    def recommendations(self, movie_id: int) -> tuple[int, ...]:
        """Popular movies sharing genres or rare keywords from around the same time."""
        if movie_id not in self._recommended:
            self._recommended[movie_id] = self._rank(movie_id, self._appeal)
        return self._recommended[movie_id]

    def _rank(self, movie_id: int, score: Score) -> tuple[int, ...]:
        movie = self._features.get(movie_id)
        if movie is None:
            return ()
        candidates = [self._features[i] for i in self._candidate_ids(movie.movie)]
        ranked = sorted(candidates, key=lambda other: (-score(movie, other), other.movie.id))
        return tuple(other.movie.id for other in ranked[:LIST_SIZE])

    def _candidate_ids(self, movie: Movie) -> list[int]:
        ids: dict[int, None] = {}
        key = _date_key(movie)
        for genre in movie.genre_ids:
            timeline = self._by_genre.get(genre, [])
            at = bisect_left(timeline, (key, movie.id))
            for _, other_id in timeline[max(0, at - _WINDOW): at + _WINDOW + 1]:
                ids[other_id] = None
        for keyword in movie.keywords:
            for other_id in self._keyword_postings.get(keyword.id, ()):
                ids[other_id] = None
        ids.pop(movie.id, None)
        return list(ids)

    @staticmethod
    def _similarity(movie: _Features, other: _Features) -> float:
        shared_genres = len(movie.genres & other.genres)
        shared_keywords = len(movie.keywords & other.keywords)
        years_apart = abs(movie.year - other.year)
        same_first_genre = movie.first_genre == other.first_genre
        return 3 * shared_genres + 2 * shared_keywords + same_first_genre - years_apart / 5

    @staticmethod
    def _appeal(movie: _Features, other: _Features) -> float:
        shared = len(movie.genres & other.genres) + len(movie.keywords & other.keywords)
        return shared * other.log_popularity + 0.01 * other.movie.vote_average


class _Features:
    """What the scores compare, computed once per movie."""

    __slots__ = ("movie", "genres", "keywords", "year", "first_genre", "log_popularity")

    def __init__(self, movie: Movie) -> None:
        self.movie = movie
        self.genres = frozenset(movie.genre_ids)
        self.keywords = frozenset(keyword.id for keyword in movie.keywords)
        self.year = movie.year or 2000
        self.first_genre = movie.genre_ids[0] if movie.genre_ids else 0
        self.log_popularity = math.log1p(movie.popularity)


def _date_key(movie: Movie) -> str:
    return movie.release_date or "0000"


def _genre_timelines(movies: Iterable[Movie]) -> dict[int, list[tuple[str, int]]]:
    timelines: dict[int, list[tuple[str, int]]] = {}
    for movie in movies:
        for genre in movie.genre_ids:
            timelines.setdefault(genre, []).append((_date_key(movie), movie.id))
    for timeline in timelines.values():
        timeline.sort()
    return timelines


def _rare_keyword_postings(movies: Iterable[Movie]) -> dict[int, list[int]]:
    postings: dict[int, list[int]] = {}
    for movie in movies:
        for keyword in movie.keywords:
            postings.setdefault(keyword.id, []).append(movie.id)
    return {kw: ids for kw, ids in postings.items() if len(ids) <= _RARE_KEYWORD}
