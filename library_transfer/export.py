"""GET /me/export's ZIP: Letterboxd's CSV layout (ratings.csv with 0.5-5 stars,
watchlist.csv, watched.csv, likes/films.csv for every favorite) and movienexus.json,
Trakt-style with TMDb ids, ratings, notes and dates: the file an import reads back
exactly (formats.py prefers it to the CSVs)."""
from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import datetime, timezone

from library_transfer.formats import EXPORT_JSON
from library_transfer.letterboxd import COLUMNS

EXPORT_VERSION = 1


def export_zip(favorites: list[dict], watchlist: list[dict]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("ratings.csv", _csv(COLUMNS + ("Rating",), [
            (*_film(f, f["updated_at"]), f"{f['rating'] / 2:g}")
            for f in favorites if f["rating"] is not None]))
        archive.writestr("likes/films.csv", _csv(COLUMNS, [_film(f, f["added_at"])
                                                           for f in favorites]))
        archive.writestr("watchlist.csv", _csv(COLUMNS, [
            _film(w, w["added_at"]) for w in watchlist if not w["watched"]]))
        archive.writestr("watched.csv", _csv(COLUMNS, [
            _film(w, w["watched_at"] or w["added_at"]) for w in watchlist if w["watched"]]))
        archive.writestr(EXPORT_JSON, json.dumps(_document(favorites, watchlist), indent=1))
    return out.getvalue()


def _document(favorites: list[dict], watchlist: list[dict]) -> dict:
    return {
        "format": "movienexus", "version": EXPORT_VERSION,
        "exported_at": datetime.now(timezone.utc).isoformat(),
        "favorites": [{"movie": _movie(f), "rating": f["rating"], "notes": f["notes"],
                       "listed_at": _iso(f["added_at"]), "updated_at": _iso(f["updated_at"])}
                      for f in favorites],
        "watchlist": [{"movie": _movie(w), "listed_at": _iso(w["added_at"]),
                       "watched": w["watched"], "watched_at": _iso(w["watched_at"])}
                      for w in watchlist],
    }


def _movie(entry: dict) -> dict:
    return {"title": entry["title"], "year": entry["year"], "ids": {"tmdb": entry["tmdb_id"]}}


def _film(entry: dict, when: datetime) -> tuple:
    return (when.date().isoformat(), entry["title"] or "", entry["year"] or "", "")


def _iso(when: datetime | None) -> str | None:
    return when.isoformat() if when else None


def _csv(header: tuple, rows: list[tuple]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()
