"""Explicit edits of a movie, as the control API receives them (JSON values)."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any, Callable, Mapping

from .model import Movie
from .reference import GENRES


class InvalidEdit(ValueError):
    """A field that cannot be changed, or a value of the wrong type."""


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidEdit("expected a string")
    return value


def _optional_text(value: Any) -> str | None:
    return None if value is None else _text(value)


def _whole(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidEdit("expected an integer")
    return value


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidEdit("expected a number")
    return float(value)


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise InvalidEdit("expected true or false")
    return value


def _release_date(value: Any) -> str:
    text = _text(value)
    if text:
        try:
            date.fromisoformat(text)
        except ValueError as exc:
            raise InvalidEdit("expected YYYY-MM-DD or an empty string") from exc
    return text


def _genre_ids(value: Any) -> tuple[int, ...]:
    if not isinstance(value, list):
        raise InvalidEdit("expected a list")
    ids = tuple(_whole(item.get("id") if isinstance(item, dict) else item) for item in value)
    unknown = [genre for genre in ids if genre not in GENRES]
    if unknown:
        raise InvalidEdit(f"unknown genre ids {unknown}")
    return ids


def _countries(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise InvalidEdit("expected a list")
    return tuple(_text(item) for item in value)


_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "title": _text, "original_title": _text, "original_language": _text, "overview": _text,
    "tagline": _text, "status": _text, "homepage": _text, "release_date": _release_date,
    "runtime": _whole, "vote_count": _whole, "budget": _whole, "revenue": _whole,
    "popularity": _number, "vote_average": _number,
    "imdb_id": _optional_text, "poster_path": _optional_text, "backdrop_path": _optional_text,
    "adult": _flag, "video": _flag, "genre_ids": _genre_ids, "genres": _genre_ids,
    "origin_country": _countries,
}

EDITABLE_FIELDS = tuple(_CONVERTERS)


def apply_edits(movie: Movie, fields: Mapping[str, Any]) -> Movie:
    """A new version of ``movie`` with ``fields`` changed; raises InvalidEdit."""
    changes: dict[str, Any] = {}
    for name, value in fields.items():
        converter = _CONVERTERS.get(name)
        if converter is None:
            raise InvalidEdit(f"{name!r} cannot be changed; editable: {', '.join(EDITABLE_FIELDS)}")
        try:
            changes["genre_ids" if name == "genres" else name] = converter(value)
        except InvalidEdit as exc:
            raise InvalidEdit(f"{name}: {exc}") from exc
    return replace(movie, **changes)
