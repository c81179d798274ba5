"""A catalog read from a TMDB-5000-style CSV (``.csv`` or ``.csv.zip``).

The file has no poster paths and no IMDb ids: posters and backdrops get paths
derived from the seed and the movie id (stable across runs), IMDb ids stay null
rather than pointing at the wrong film. Genres outside TMDb's current 19
(the retired "Foreign") are dropped.
"""
from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path
from random import Random
from typing import Any, Iterator, Mapping

from . import media
from .model import Company, Country, Keyword, Language, Movie
from .reference import GENRES, LANGUAGES


class CatalogFileError(ValueError):
    """The CSV cannot be read as a TMDB-5000 catalog."""


def load_csv(path: str | Path, *, seed: int = 42) -> list[Movie]:
    """Every movie of the file, ordered by id."""
    movies = [_movie(row, seed, number) for number, row in enumerate(_rows(Path(path)), 2)]
    return sorted(movies, key=lambda movie: movie.id)


def _rows(path: Path) -> Iterator[dict[str, str]]:
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            member = next((n for n in archive.namelist() if n.endswith(".csv")), None)
            if member is None:
                raise CatalogFileError(f"{path} holds no .csv file")
            with archive.open(member) as raw:
                yield from csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8", newline=""))
    else:
        with path.open(encoding="utf-8", newline="") as handle:
            yield from csv.DictReader(handle)


def _movie(row: Mapping[str, str], seed: int, line: int) -> Movie:
    try:
        movie_id = int(row["id"])
    except (KeyError, ValueError) as exc:
        raise CatalogFileError(f"line {line}: no usable id") from exc
    rng = Random(f"{seed}:csv:{movie_id}")
    countries = tuple(Country(c["iso_3166_1"], c["name"])
                      for c in _json(row, "production_countries"))
    return Movie(
        id=movie_id,
        title=row.get("title") or row.get("original_title") or "",
        original_title=row.get("original_title") or row.get("title") or "",
        original_language=row.get("original_language") or "en",
        overview=row.get("overview") or "",
        tagline=row.get("tagline") or "",
        genre_ids=tuple(g["id"] for g in _json(row, "genres") if g.get("id") in GENRES),
        release_date=row.get("release_date") or "",
        runtime=int(_number(row, "runtime")),
        status=row.get("status") or "Released",
        popularity=round(_number(row, "popularity"), 3),
        vote_count=int(_number(row, "vote_count")),
        vote_average=_number(row, "vote_average"),
        budget=int(_number(row, "budget")),
        revenue=int(_number(row, "revenue")),
        imdb_id=None,
        homepage=row.get("homepage") or "",
        poster_path=media.image_path(rng),
        backdrop_path=media.maybe_image_path(rng, 0.05),
        origin_country=tuple(c.iso_3166_1 for c in countries[:1]),
        production_companies=tuple(_company(c) for c in _json(row, "production_companies")),
        production_countries=countries,
        spoken_languages=tuple(_language(lang) for lang in _json(row, "spoken_languages")),
        keywords=tuple(Keyword(k["id"], k["name"]) for k in _json(row, "keywords")),
    )


def _json(row: Mapping[str, str], column: str) -> list[dict[str, Any]]:
    raw = row.get(column) or "[]"
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        return []
    return value if isinstance(value, list) else []


def _number(row: Mapping[str, str], column: str) -> float:
    try:
        return float(row.get(column) or 0)
    except ValueError:
        return 0.0


def _company(entry: Mapping[str, Any]) -> Company:
    return Company(id=int(entry["id"]), name=str(entry["name"]), logo_path=None,
                   origin_country="")


def _language(entry: Mapping[str, Any]) -> Language:
    iso = str(entry.get("iso_639_1", ""))
    english = LANGUAGES.get(iso, (entry.get("name") or iso, ""))[0]
    return Language(iso_639_1=iso, english_name=english, name=str(entry.get("name") or english))
