"""The in-memory catalog the server answers from: lookups, cached views, changes.

Thread-safe: one re-entrant lock guards the movie table, the change log and the
caches. Movies are immutable, so what a reader got stays consistent after the
lock is released; an edit swaps in a new version and bumps ``version``, which
drops every cached view (rankings, search index).
"""
from __future__ import annotations

import threading
import time
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, TypeVar

from . import drift as drift_module
from .changes import ChangeLog
from .csv_loader import load_csv
from .edits import apply_edits
from .generator import DEFAULT_COUNT, DEFAULT_SEED, REFERENCE_DATE, generate_movies
from .model import Movie
from .related import RelatedIndex

T = TypeVar("T")


class UnknownMovie(LookupError):
    """No movie (or no longer a movie) with that id."""


class Catalog:
    """Movies by id, plus what TMDb derives from them, plus their change history."""

    def __init__(self, movies: Iterable[Movie], *, seed: int = DEFAULT_SEED,
                 today: date = REFERENCE_DATE, clock: Callable[[], float] = time.time,
                 source: str = "generated") -> None:
        self.seed = seed
        self.today = today  # the catalog's "today": statuses, now playing, upcoming
        self.source = source
        self._clock = clock
        self._lock = threading.RLock()
        self._movies = {movie.id: movie for movie in sorted(movies, key=lambda m: m.id)}
        self._related = RelatedIndex(self._movies.values())
        self._changes = ChangeLog()
        self._cache: dict[str, Any] = {}
        self._version = 0
        self._ticks = 0

    @classmethod
    def generated(cls, seed: int = DEFAULT_SEED, count: int = DEFAULT_COUNT, *,
                  today: date = REFERENCE_DATE, clock: Callable[[], float] = time.time,
                  ) -> "Catalog":
        """A catalog of ``count`` generated movies (see ``generator``)."""
        movies = generate_movies(seed, count, today=today)
        return cls(movies, seed=seed, today=today, clock=clock, source="generated")

    @classmethod
    def from_csv(cls, path: str | Path, *, seed: int = DEFAULT_SEED,
                 clock: Callable[[], float] = time.time) -> "Catalog":
        """A catalog read from a TMDB-5000 CSV; its "today" is its latest release."""
        movies = load_csv(path, seed=seed)
        released = [m.release_date for m in movies if m.release_date and m.status == "Released"]
        today = date.fromisoformat(max(released)) if released else REFERENCE_DATE
        return cls(movies, seed=seed, today=today, clock=clock, source=str(path))

    def __len__(self) -> int:
        with self._lock:
            return len(self._movies)

    @property
    def version(self) -> int:
        """Bumped by every change; cached views belong to one version."""
        return self._version

    @property
    def ticks(self) -> int:
        return self._ticks

    def get(self, movie_id: int) -> Movie | None:
        with self._lock:
            return self._movies.get(movie_id)

    def require(self, movie_id: int) -> Movie:
        movie = self.get(movie_id)
        if movie is None:
            raise UnknownMovie(movie_id)
        return movie

    def movies(self) -> list[Movie]:
        """Every current movie, ordered by id (a cached list: do not modify it)."""
        return self.cached("all", lambda movies: movies)

    def cached(self, name: str, build: Callable[[list[Movie]], T]) -> T:
        """``build(movies by id)`` computed once per catalog version."""
        with self._lock:
            key = f"{self._version}:{name}"
            if key not in self._cache:
                self._cache[key] = build(list(self._movies.values()))
            return self._cache[key]

    def similar(self, movie_id: int) -> list[Movie]:
        return self._current(self._related.similar(self.require(movie_id).id))

    def recommendations(self, movie_id: int) -> list[Movie]:
        return self._current(self._related.recommendations(self.require(movie_id).id))

    def update(self, movie_id: int, fields: Mapping[str, Any]) -> Movie:
        """Change some fields of a movie and record it in the changes feed."""
        with self._lock:
            movie = apply_edits(self.require(movie_id), fields)
            self._replace([movie])
            return movie

    def delete(self, movie_id: int) -> None:
        """Remove a movie: it then answers 404, and shows in the changes feed."""
        with self._lock:
            self.require(movie_id)
            del self._movies[movie_id]
            self._changes.record(movie_id, self._clock())
            self._invalidate()

    def tick(self, steps: int = 1) -> list[int]:
        """Advance the drift ``steps`` times; the ids that changed, in order."""
        changed: list[int] = []
        with self._lock:
            for _ in range(steps):
                self._ticks += 1
                ordered = list(self._movies.values())
                drifted = drift_module.drift(ordered, self.seed, self._ticks)
                self._replace(drifted)
                changed.extend(movie.id for movie in drifted)
        return changed

    def changed_between(self, start: float, end: float) -> list[tuple[int, bool]]:
        """(id, adult) of the movies changed in [start, end] (clock seconds), newest first."""
        with self._lock:
            ids = self._changes.changed_between(start, end)
            return [(i, bool(getattr(self._movies.get(i), "adult", False))) for i in ids]

    def now(self) -> float:
        """The catalog clock (``time.time`` unless a test injected another)."""
        return self._clock()

    def _current(self, ids: Iterable[int]) -> list[Movie]:
        with self._lock:
            return [self._movies[i] for i in ids if i in self._movies]

    def _replace(self, movies: list[Movie]) -> None:
        at = self._clock()
        for movie in movies:
            self._movies[movie.id] = movie
            self._changes.record(movie.id, at)
        self._invalidate()

    def _invalidate(self) -> None:
        self._version += 1
        self._cache.clear()
