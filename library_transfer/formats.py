"""Which format an upload is, and its rows: a ZIP is a Letterboxd export (or Movie
Nexus's own, whose JSON is read instead of its CSVs), a JSON is Trakt-style, a CSV is
IMDb's ratings (or one Letterboxd file, told by its `Letterboxd URI` column)."""
from __future__ import annotations

from dataclasses import dataclass

from library_transfer import imdb, letterboxd, trakt, zips
from library_transfer.rows import BadFile, Limits, Row

LETTERBOXD, IMDB, TRAKT, MOVIENEXUS = "letterboxd", "imdb", "trakt", "movienexus"
EXPORT_JSON = "movienexus.json"


@dataclass(frozen=True)
class Parsed:
    format: str
    rows: list[Row]
    skipped: int = 0


def parse_upload(filename: str, data: bytes, limits: Limits) -> Parsed:
    if len(data) > limits.max_bytes:
        raise BadFile(f"The file is over {limits.max_bytes} bytes.", 413)
    if not data.strip():
        raise BadFile("The file is empty.")
    if data[:4] == b"PK\x03\x04":
        return _zip(data, limits)
    if data.lstrip()[:1] in (b"{", b"["):
        return Parsed(TRAKT, *trakt.rows_of(filename or "the JSON", data, limits))
    return _csv(filename or "the CSV", data, limits)


def _zip(data: bytes, limits: Limits) -> Parsed:
    found = zips.members(data, limits, lambda name: name.endswith(EXPORT_JSON)
                         or letterboxd.file_of(name) is not None)
    own = [name for name in found if name.endswith(EXPORT_JSON)]
    if own:
        return Parsed(MOVIENEXUS, *trakt.rows_of(EXPORT_JSON, found[own[0]], limits))
    if not found:
        raise BadFile("The ZIP holds none of Letterboxd's ratings.csv, watched.csv, "
                      "watchlist.csv, diary.csv or likes/films.csv.")
    rows: list[Row] = []
    for member, content in sorted(found.items()):
        rows += letterboxd.rows_of(letterboxd.file_of(member), content, limits)
        if len(rows) > limits.max_rows:
            raise BadFile(f"The export has more than {limits.max_rows} rows.", 413)
    return Parsed(LETTERBOXD, rows)


def _csv(name: str, data: bytes, limits: Limits) -> Parsed:
    header = data[:4096].split(b"\n", 1)[0]
    if b"Letterboxd URI" in header:
        file = name.rsplit("/", 1)[-1].lower()
        file = file if file in letterboxd.FILES else "watched.csv"
        return Parsed(LETTERBOXD, letterboxd.rows_of(file, data, limits))
    return Parsed(IMDB, *imdb.rows_of(name, data, limits))
