"""TMDb's movie JSON → the catalog's movie fields (pure; no I/O).

A list item (popular, search, similar...) carries `genre_ids` and the list fields
only; a detail (/movie/{id}) carries `genres [{id, name}]` and the detail fields too.
Only the fields present in the JSON are returned, so a list item never blanks what
only a detail knows.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any, Callable

from domain.errors import InvalidInput

MOVIE_FIELDS: tuple[str, ...] = (
    "tmdb_id", "title", "original_title", "overview", "tagline", "release_date", "runtime",
    "status", "original_language", "budget", "revenue", "imdb_id", "homepage",
    "poster_path", "backdrop_path", "popularity", "vote_average", "vote_count", "adult",
    "genre_ids",
)

DEFAULTS: dict[str, Any] = {
    "title": "", "original_title": "", "overview": "", "tagline": "", "release_date": "",
    "runtime": None, "status": "", "original_language": "", "budget": 0, "revenue": 0,
    "imdb_id": None, "homepage": "", "poster_path": None, "backdrop_path": None,
    "popularity": 0.0, "vote_average": 0.0, "vote_count": 0, "adult": False, "genre_ids": [],
}


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _optional_text(value: Any) -> str | None:
    return str(value) if value else None


def _integer(value: Any) -> int:
    return int(value or 0)


def _optional_integer(value: Any) -> int | None:
    return None if value is None else int(value)


def _number(value: Any) -> float:
    return float(value or 0.0)


_COERCE: dict[str, Callable[[Any], Any]] = {
    "title": _text, "original_title": _text, "overview": _text, "tagline": _text,
    "release_date": _text, "runtime": _optional_integer, "status": _text,
    "original_language": _text, "budget": _integer, "revenue": _integer,
    "imdb_id": _optional_text, "homepage": _text, "poster_path": _optional_text,
    "backdrop_path": _optional_text, "popularity": _number, "vote_average": _number,
    "vote_count": _integer, "adult": bool,
}


def tmdb_id_of(data: dict[str, Any]) -> int:
    raw = data.get("id", data.get("tmdb_id"))
    try:
        tmdb_id = int(raw)
    except (TypeError, ValueError):
        raise InvalidInput(f"A TMDb movie needs a numeric id, not {raw!r}.", field="id")
    if not 0 < tmdb_id < 2**31:
        raise InvalidInput(f"TMDb id {tmdb_id} is out of range.", field="id")
    return tmdb_id


def _genre_ids(data: dict[str, Any]) -> list[int] | None:
    if isinstance(data.get("genres"), list):
        return [int(genre["id"]) for genre in data["genres"]]
    if isinstance(data.get("genre_ids"), list):
        return [int(genre_id) for genre_id in data["genre_ids"]]
    return None


def movie_fields(data: dict[str, Any]) -> dict[str, Any]:
    """The catalog fields present in a TMDb movie JSON, normalised."""
    fields: dict[str, Any] = {"tmdb_id": tmdb_id_of(data)}
    for name, coerce in _COERCE.items():
        if name in data:
            fields[name] = coerce(data[name])
    genre_ids = _genre_ids(data)
    if genre_ids is not None:
        fields["genre_ids"] = genre_ids
    return fields


def content_hash(fields: dict[str, Any]) -> str:
    """sha256 of the canonical JSON of every movie field."""
    canonical = json.dumps({name: fields.get(name) for name in MOVIE_FIELDS},
                           sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()
