"""Trakt-style JSON: an object of `ratings` (`rating` 1-10, `rated_at`), `watchlist`
(`listed_at`), `watched` (`last_watched_at`) and, as Movie Nexus exports it,
`favorites` (`rating`, `notes`, `listed_at`, `updated_at`) — or one such list alone.
Each item names its movie as `{"title", "year", "ids": {"tmdb", "imdb"}}`; items of
another `type` (shows, episodes) are skipped."""
from __future__ import annotations

import json
from typing import Any

from domain.library.model import MAX_NOTES
from library_transfer.imdb import IMDB_ID
from library_transfer.rows import FAVORITE, WATCHED, WATCHLIST, BadFile, Limits, Row, \
    iso_date, year_of
from library_transfer.texts import decoded

LISTS = ("favorites", "ratings", "watchlist", "watched")


def rows_of(name: str, data: bytes, limits: Limits) -> tuple[list[Row], int]:
    try:
        document = json.loads(decoded(data, name, limits))
    except json.JSONDecodeError as exc:
        raise BadFile(f"{name} is not valid JSON ({exc.msg}, line {exc.lineno}).") from None
    lists = _lists(document, name)
    if sum(len(items) for items in lists.values()) > limits.max_rows:
        raise BadFile(f"{name} has more than {limits.max_rows} items.", 413)
    rows, skipped = [], 0
    for list_name, items in lists.items():
        for n, item in enumerate(items):
            row = _row(list_name, item, f"{name} {list_name}[{n}]")
            rows += [row] if row else []
            skipped += 0 if row else 1
    return rows, skipped


def _lists(document: Any, name: str) -> dict[str, list]:
    if isinstance(document, list):
        kind = "ratings" if document and isinstance(document[0], dict) \
            and "rating" in document[0] else "watchlist"
        document = {kind: document}
    if not isinstance(document, dict) or not any(key in document for key in LISTS):
        raise BadFile(f"{name} holds none of {', '.join(LISTS)}.")
    for key in LISTS:
        if not isinstance(document.get(key, []), list):
            raise BadFile(f"{name}: {key} is not a list.")
    return {key: document.get(key, []) for key in LISTS}


def _row(list_name: str, item: Any, where: str) -> Row | None:
    if not isinstance(item, dict) or not isinstance(item.get("movie"), dict):
        if isinstance(item, dict) and item.get("type") not in (None, "movie"):
            return None
        raise BadFile(f"{where}: an item names its movie as an object under `movie`.")
    movie, kind = item["movie"], _kind(list_name, item)
    added = iso_date(_text(item, "listed_at", where) or _text(item, "rated_at", where), where)
    changed = iso_date(_text(item, "updated_at", where) or _text(item, "rated_at", where)
                       or _text(item, "watched_at", where)
                       or _text(item, "last_watched_at", where), where)
    return Row(kind=kind, source=where, title=_text(movie, "title", where),
               year=year_of(movie.get("year"), where), **_ids(movie, where),
               rating=_rating(item.get("rating"), where) if kind == FAVORITE else None,
               notes=_notes(item.get("notes"), where), added_at=added or changed,
               changed_at=changed or added)


def _kind(list_name: str, item: dict) -> str:
    if list_name in ("favorites", "ratings"):
        return FAVORITE
    return WATCHED if list_name == "watched" or item.get("watched") is True else WATCHLIST


def _ids(movie: dict, where: str) -> dict:
    ids = movie.get("ids") or {}
    if not isinstance(ids, dict):
        raise BadFile(f"{where}: ids is not an object.")
    tmdb, imdb = ids.get("tmdb"), ids.get("imdb")
    if tmdb is not None and (isinstance(tmdb, bool) or not isinstance(tmdb, int)
                             or not 0 < tmdb < 2**31):
        raise BadFile(f"{where}: ids.tmdb is not a TMDb id.")
    if imdb is not None and not (isinstance(imdb, str) and IMDB_ID.match(imdb)):
        raise BadFile(f"{where}: ids.imdb is not an IMDb id (tt…).")
    if tmdb is None and imdb is None and not movie.get("title"):
        raise BadFile(f"{where}: the movie has neither ids nor a title.")
    return {"tmdb_id": tmdb, "imdb_id": imdb}


def _text(holder: dict, key: str, where: str) -> str | None:
    value = holder.get(key)
    if value is not None and not isinstance(value, str):
        raise BadFile(f"{where}: {key} is not text.")
    return value or None


def _rating(value: Any, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 10:
        raise BadFile(f"{where}: rating is not a whole number from 1 to 10.")
    return value


def _notes(value: Any, where: str) -> str | None:
    if value is not None and (not isinstance(value, str) or len(value) > MAX_NOTES):
        raise BadFile(f"{where}: notes are text of at most {MAX_NOTES} characters.")
    return value or None
