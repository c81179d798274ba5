"""A TMDB-5000-style CSV (`.csv` or `.csv.zip`) read as TMDb /movie/{id} details.

Columns: budget, genres (JSON [{id, name}]), homepage, id, keywords, original_language,
original_title, overview, popularity, production_companies, production_countries,
release_date, revenue, runtime, spoken_languages, status, tagline, title,
vote_average, vote_count. The file has no poster paths and no IMDb ids: they are null.
"""
from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path
from typing import Any, Iterator, Mapping


class CatalogFileError(ValueError):
    """The file cannot be read as a TMDB-5000-style catalog."""


def read_rows(path: str | Path) -> Iterator[dict[str, str]]:
    path = Path(path)
    if not path.is_file():
        raise CatalogFileError(f"{path}: no such file")
    if path.suffix == ".zip":
        yield from _zipped_rows(path)
        return
    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def count_rows(path: str | Path) -> int:
    return sum(1 for _ in read_rows(path))


def detail_from_row(row: Mapping[str, str]) -> dict[str, Any]:
    """The TMDb detail a CSV row describes; ValueError when it has no usable id."""
    return {
        "id": int(row["id"]),
        "title": row.get("title") or row.get("original_title") or "",
        "original_title": row.get("original_title") or row.get("title") or "",
        "original_language": row.get("original_language") or "",
        "overview": row.get("overview") or "",
        "tagline": row.get("tagline") or "",
        "genres": [{"id": int(g["id"]), "name": g["name"]} for g in _json(row, "genres")],
        "release_date": row.get("release_date") or "",
        "runtime": _optional_int(row.get("runtime")),
        "status": row.get("status") or "",
        "popularity": _number(row.get("popularity")),
        "vote_average": _number(row.get("vote_average")),
        "vote_count": int(_number(row.get("vote_count"))),
        "budget": int(_number(row.get("budget"))),
        "revenue": int(_number(row.get("revenue"))),
        "homepage": row.get("homepage") or "",
        "imdb_id": None, "poster_path": None, "backdrop_path": None,
        "adult": False, "video": False,
        "production_companies": _json(row, "production_companies"),
        "production_countries": _json(row, "production_countries"),
        "spoken_languages": _json(row, "spoken_languages"),
    }


def _zipped_rows(path: Path) -> Iterator[dict[str, str]]:
    with zipfile.ZipFile(path) as archive:
        member = next((n for n in archive.namelist() if n.endswith(".csv")), None)
        if member is None:
            raise CatalogFileError(f"{path} holds no .csv file")
        with archive.open(member) as raw:
            yield from csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8", newline=""))


def _json(row: Mapping[str, str], column: str) -> list[dict[str, Any]]:
    try:
        value = json.loads(row.get(column) or "[]")
    except json.JSONDecodeError:
        return []
    return value if isinstance(value, list) else []


def _number(raw: str | None) -> float:
    try:
        return float(raw or 0)
    except ValueError:
        return 0.0


def _optional_int(raw: str | None) -> int | None:
    return int(float(raw)) if raw not in (None, "") else None
