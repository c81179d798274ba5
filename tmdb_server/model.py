"""The catalog's records: immutable movies and the small values they hold.

Movies are frozen: a change builds a new Movie (``dataclasses.replace``), so a
request that holds one always sees a consistent version of it.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Company:
    id: int
    name: str
    logo_path: str | None
    origin_country: str


@dataclass(frozen=True, slots=True)
class Country:
    iso_3166_1: str
    name: str


@dataclass(frozen=True, slots=True)
class Language:
    iso_639_1: str
    english_name: str
    name: str


@dataclass(frozen=True, slots=True)
class Keyword:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class Collection:
    id: int
    name: str
    poster_path: str | None
    backdrop_path: str | None


@dataclass(frozen=True, slots=True)
class Movie:
    """One movie, holding every field TMDb's detail answer carries."""

    id: int
    title: str
    original_title: str
    original_language: str
    overview: str
    tagline: str
    genre_ids: tuple[int, ...]
    release_date: str  # "YYYY-MM-DD", or "" when unknown
    runtime: int
    status: str
    popularity: float
    vote_count: int
    vote_average: float
    budget: int
    revenue: int
    imdb_id: str | None
    homepage: str
    poster_path: str | None
    backdrop_path: str | None
    adult: bool = False
    video: bool = False
    origin_country: tuple[str, ...] = ()
    production_companies: tuple[Company, ...] = ()
    production_countries: tuple[Country, ...] = ()
    spoken_languages: tuple[Language, ...] = ()
    keywords: tuple[Keyword, ...] = ()
    collection: Collection | None = None

    @property
    def year(self) -> int | None:
        """The release year, or None when the release date is unknown."""
        return int(self.release_date[:4]) if self.release_date else None
