"""Letterboxd's export: ratings.csv, watched.csv, watchlist.csv, diary.csv and
likes/films.csv, with `Date,Name,Year,Letterboxd URI` (ratings and diary add `Rating`,
0.5-5 stars, stored ×2 as 1-10; diary adds `Watched Date`)."""
from __future__ import annotations

from library_transfer.rows import FAVORITE, WATCHED, WATCHLIST, BadFile, Limits, Row, \
    iso_date, year_of
from library_transfer.texts import csv_rows, decoded

COLUMNS = ("Date", "Name", "Year", "Letterboxd URI")
FILES = {"ratings.csv": FAVORITE, "likes/films.csv": FAVORITE, "watched.csv": WATCHED,
         "diary.csv": WATCHED, "watchlist.csv": WATCHLIST}


def file_of(member: str) -> str | None:
    """Which Letterboxd file a ZIP member is (also inside one top folder), or None."""
    for name in FILES:
        if member == name or member.endswith("/" + name):
            return name
    return None


def rows_of(name: str, data: bytes, limits: Limits) -> list[Row]:
    required = COLUMNS + (("Rating",) if name == "ratings.csv" else ())
    text = decoded(data, name, limits)
    return [_row(name, line, raw) for line, raw in csv_rows(text, name, required, limits)]


def _row(name: str, line: int, raw: dict[str, str]) -> Row:
    where = f"{name} line {line}"
    if not raw["Name"]:
        raise BadFile(f"{where}: the film has no name.")
    date = iso_date(raw["Date"], where)
    watched = iso_date(raw.get("Watched Date"), where) if name == "diary.csv" else None
    return Row(kind=FILES[name], source=where, title=raw["Name"],
               year=year_of(raw["Year"], where), rating=_stars(raw.get("Rating"), where)
               if name == "ratings.csv" else None,
               added_at=date, changed_at=watched or date)


def _stars(text: str | None, where: str) -> int | None:
    if not text:
        return None
    try:
        doubled = float(text) * 2
    except ValueError:
        doubled = -1
    if doubled != int(doubled) or not 1 <= doubled <= 10:
        raise BadFile(f"{where}: {text[:10]!r} is not a rating of 0.5 to 5 stars.")
    return int(doubled)
