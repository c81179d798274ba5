"""The JSON bodies the Movies API sends, built once by the projections (pure functions).

A card is a movie in a list; a detail is GET /movies/{id}. Both are stored in
read_movies and, ready to send, in Redis under the keys below.
"""
from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

POSTER_BASE_URL = "https://image.tmdb.org/t/p/w500"
DETAIL_FIELDS = ("overview", "tagline", "runtime", "status", "original_language", "budget",
                 "revenue", "imdb_id", "homepage")
GENRES_KEY = "genres"
CATALOG_GENERATION_KEY = "catalog:generation"
TOMBSTONE = b""  # a delisted movie's card and detail: known, but not to be shown


def card_key(tmdb_id: int | str) -> str:
    return f"movie:card:{tmdb_id}"


def detail_key(tmdb_id: int | str) -> str:
    return f"movie:detail:{tmdb_id}"


def complete_key(tmdb_id: int | str) -> str:
    """b"1" once the detail holds TMDb's full detail, b"0" while it has list fields only."""
    return f"movie:complete:{tmdb_id}"


COUNTS_SPAN = 2**32


def document_version(movie_version: int, counts_seq: int) -> int:
    """The version of a movie's card and detail in Redis: the movie's own version first,
    then how many favorite-counter deltas were folded in (see movie_counters). Exact in
    Redis' Lua numbers while movie_version < 2**21."""
    return movie_version * COUNTS_SPAN + counts_seq


def relations_key(kind: str, tmdb_id: int | str) -> str:
    return f"movie:{kind}:{tmdb_id}"


def list_key(name: str) -> str:
    """A Redis list of TMDb ids, in TMDb's order."""
    return f"list-ids:{name}"


def dump(document: Any) -> str:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


def average_rating(rating_sum: int, ratings: int) -> float | None:
    """Two decimals, halves rounded up (as PostgreSQL's round(numeric, 2) does)."""
    if not ratings:
        return None
    return float((Decimal(rating_sum) / Decimal(ratings)).quantize(Decimal("0.01"),
                                                                   ROUND_HALF_UP))


def year_of(release_date: str) -> int | None:
    return int(release_date[:4]) if release_date[:4].isdigit() else None


def poster_url(poster_path: str | None) -> str | None:
    return POSTER_BASE_URL + poster_path if poster_path else None


# TMDb's movie genres (TMDB.md), for a card built before the first genre sync landed;
# the synced names win whenever they are known.
TMDB_MOVIE_GENRES = {
    28: "Action", 12: "Adventure", 16: "Animation", 35: "Comedy", 80: "Crime",
    99: "Documentary", 18: "Drama", 10751: "Family", 14: "Fantasy", 36: "History",
    27: "Horror", 10402: "Music", 9648: "Mystery", 10749: "Romance", 878: "Science Fiction",
    10770: "TV Movie", 53: "Thriller", 10752: "War", 37: "Western",
}


def genre_name(genre_id: int, synced: dict[int, str]) -> str:
    return synced.get(genre_id) or TMDB_MOVIE_GENRES.get(genre_id, "")


def card(fields: dict[str, Any], genre_names: dict[int, str], favorite_count: int) -> dict:
    """A genre unknown both to the last sync and to TMDb's standard list shows name ""."""
    release_date = fields.get("release_date") or None
    return {
        "tmdb_id": fields["tmdb_id"],
        "title": fields["title"],
        "original_title": fields["original_title"],
        "release_date": release_date,
        "year": year_of(release_date or ""),
        "poster_path": fields.get("poster_path"),
        "backdrop_path": fields.get("backdrop_path"),
        "poster_url": poster_url(fields.get("poster_path")),
        "genres": [{"id": gid, "name": genre_name(gid, genre_names)}
                   for gid in fields.get("genre_ids", [])],
        "popularity": fields["popularity"],
        "vote_average": fields["vote_average"],
        "vote_count": fields["vote_count"],
        "favorite_count": favorite_count,
    }


def detail(fields: dict[str, Any], genre_names: dict[int, str], favorite_count: int,
           average_user_rating: float | None = None) -> dict:
    return detail_of_card(card(fields, genre_names, favorite_count), fields,
                          average_user_rating)


def detail_of_card(movie_card: dict, fields: dict[str, Any],
                   average_user_rating: float | None = None) -> dict:
    """The detail, from the card of the same fields (saves building the card twice)."""
    extra = {name: fields.get(name) for name in DETAIL_FIELDS}
    return {**movie_card, **extra, "average_user_rating": average_user_rating}


def genre_list(rows: list[dict]) -> list[dict]:
    return [{"id": row["id"], "name": row["name"], "movie_count": row["movie_count"]}
            for row in rows]
