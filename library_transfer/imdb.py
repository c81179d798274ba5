"""IMDb's ratings export: `Const,Your Rating,Date Rated,Title,URL,Title Type,IMDb Rating,
Runtime (mins),Year,Genres,Num Votes,Release Date,Directors`. Ratings are 1-10 already;
series and episodes are skipped (the library holds movies)."""
from __future__ import annotations

import re

from library_transfer.rows import FAVORITE, BadFile, Limits, Row, iso_date, year_of
from library_transfer.texts import csv_rows, decoded

COLUMNS = ("Const", "Your Rating", "Date Rated", "Title", "Year")
MOVIE_TYPES = {"", "movie", "tvmovie", "video", "short", "tvspecial"}
IMDB_ID = re.compile(r"^tt\d{5,10}$")


def rows_of(name: str, data: bytes, limits: Limits) -> tuple[list[Row], int]:
    """The rows of movies, and how many rows were of something else."""
    text = decoded(data, name, limits)
    rows, skipped = [], 0
    for line, raw in csv_rows(text, name, COLUMNS, limits):
        if raw.get("Title Type", "").replace(" ", "").lower() not in MOVIE_TYPES:
            skipped += 1
            continue
        rows.append(_row(f"{name} line {line}", raw))
    return rows, skipped


def _row(where: str, raw: dict[str, str]) -> Row:
    if not IMDB_ID.match(raw["Const"]):
        raise BadFile(f"{where}: {raw['Const'][:20]!r} is not an IMDb id (tt…).")
    try:
        rating = int(raw["Your Rating"]) if raw["Your Rating"] else None
    except ValueError:
        rating = 0
    if rating is not None and not 1 <= rating <= 10:
        raise BadFile(f"{where}: {raw['Your Rating'][:10]!r} is not a rating of 1 to 10.")
    rated = iso_date(raw["Date Rated"], where)
    return Row(kind=FAVORITE, source=where, title=raw["Title"] or None,
               year=year_of(raw["Year"], where), imdb_id=raw["Const"], rating=rating,
               added_at=rated, changed_at=rated)
