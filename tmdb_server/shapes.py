"""TMDb's JSON shapes: list items, detail, paged envelopes, genres, configuration."""
from __future__ import annotations

import dataclasses
import math
from typing import Any, Callable, Sequence, TypeVar

from .model import Movie
from .reference import GENRES

PAGE_SIZE = 20
CHANGES_PAGE_SIZE = 100
T = TypeVar("T")
Json = dict[str, Any]

CONFIGURATION: Json = {
    "images": {
        "base_url": "http://image.tmdb.org/t/p/",
        "secure_base_url": "https://image.tmdb.org/t/p/",
        "backdrop_sizes": ["w300", "w780", "w1280", "original"],
        "logo_sizes": ["w45", "w92", "w154", "w185", "w300", "w500", "original"],
        "poster_sizes": ["w92", "w154", "w185", "w342", "w500", "w780", "original"],
        "profile_sizes": ["w45", "w185", "h632", "original"],
        "still_sizes": ["w92", "w185", "w300", "original"],
    },
    "change_keys": [
        "adult", "alternative_titles", "budget", "cast", "crew", "genres", "homepage",
        "images", "imdb_id", "original_language", "original_title", "overview",
        "popularity", "production_companies", "production_countries", "releases",
        "revenue", "runtime", "spoken_languages", "status", "tagline", "title",
        "translations", "video", "videos", "vote_average", "vote_count",
    ],
}


def list_item(movie: Movie) -> Json:
    """A movie as lists, search, discover, similar and recommendations show it."""
    return {
        "adult": movie.adult,
        "backdrop_path": movie.backdrop_path,
        "genre_ids": list(movie.genre_ids),
        "id": movie.id,
        "original_language": movie.original_language,
        "original_title": movie.original_title,
        "overview": movie.overview,
        "popularity": movie.popularity,
        "poster_path": movie.poster_path,
        "release_date": movie.release_date,
        "title": movie.title,
        "video": movie.video,
        "vote_average": movie.vote_average,
        "vote_count": movie.vote_count,
    }


def trending_item(movie: Movie) -> Json:
    return {**list_item(movie), "media_type": "movie"}


def genres(genre_ids: Sequence[int]) -> list[Json]:
    return [{"id": g, "name": GENRES[g]} for g in genre_ids if g in GENRES]


def detail(movie: Movie) -> Json:
    """/3/movie/{id}: every list field (genres as objects) plus the detail fields."""
    item = list_item(movie)
    del item["genre_ids"]
    as_dicts = dataclasses.asdict
    return {
        **item,
        "belongs_to_collection": as_dicts(movie.collection) if movie.collection else None,
        "budget": movie.budget,
        "genres": genres(movie.genre_ids),
        "homepage": movie.homepage,
        "imdb_id": movie.imdb_id,
        "origin_country": list(movie.origin_country),
        "production_companies": [as_dicts(c) for c in movie.production_companies],
        "production_countries": [as_dicts(c) for c in movie.production_countries],
        "revenue": movie.revenue,
        "runtime": movie.runtime,
        "spoken_languages": [as_dicts(lang) for lang in movie.spoken_languages],
        "status": movie.status,
        "tagline": movie.tagline,
    }


def paged(items: Sequence[T], page: int, to_json: Callable[[T], Json],
          size: int = PAGE_SIZE) -> Json:
    """TMDb's envelope; a page past the last one has empty results, like TMDb."""
    start = (page - 1) * size
    return {
        "page": page,
        "results": [to_json(item) for item in items[start:start + size]],
        "total_pages": max(1, math.ceil(len(items) / size)),
        "total_results": len(items),
    }


def genre_list() -> Json:
    return {"genres": genres(list(GENRES))}


def change_item(entry: tuple[int, bool]) -> Json:
    movie_id, adult = entry
    return {"id": movie_id, "adult": adult}
