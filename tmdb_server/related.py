"""Recommendations and similar movies, derived from genres, years and keywords.

The index is built once from the catalog as loaded (cheap: a sort per genre);
each movie's two lists are computed the first time they are asked for and then
kept, so start-up stays fast. The lists depend only on the loaded data, so they
are as deterministic as the catalog itself.
"""
from __future__ import annotations

import math
from bisect import bisect_left
from typing import Iterable

from .model import Movie

LIST_SIZE = 20
_WINDOW = 25  # neighbours taken on each side within a genre, by release date
_RARE_KEYWORD = 60  # a keyword shared by more movies than this says little


class RelatedIndex:
    """Answers "similar" and "recommendations" id lists for the movies it was built from."""

    def __init__(self, movies: Iterable[Movie]) -> None:
        self._movies = {movie.id: movie for movie in movies}
        self._by_genre = _genre_timelines(self._movies.values())
        self._keyword_postings = _rare_keyword_postings(self._movies.values())
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

    def _rank(self, movie_id: int, score) -> tuple[int, ...]:
        movie = self._movies.get(movie_id)
        if movie is None:
            return ()
        candidates = self._candidates(movie)
        ranked = sorted(candidates, key=lambda other: (-score(movie, other), other.id))
        return tuple(other.id for other in ranked[:LIST_SIZE])

    def _candidates(self, movie: Movie) -> list[Movie]:
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
        return [self._movies[i] for i in ids]

    @staticmethod
    def _similarity(movie: Movie, other: Movie) -> float:
        shared_genres = len(set(movie.genre_ids) & set(other.genre_ids))
        shared_keywords = len(set(movie.keywords) & set(other.keywords))
        years_apart = abs((movie.year or 2000) - (other.year or 2000))
        first_genre_match = bool(other.genre_ids) and other.genre_ids[0] == movie.genre_ids[0]
        return 3 * shared_genres + 2 * shared_keywords + first_genre_match - years_apart / 5

    @staticmethod
    def _appeal(movie: Movie, other: Movie) -> float:
        shared = len(set(movie.genre_ids) & set(other.genre_ids))
        shared += len(set(movie.keywords) & set(other.keywords))
        return shared * math.log1p(other.popularity) + 0.01 * other.vote_average


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
