"""One row of an imported file, as every format reads into it (stored as JSON while
the import runs)."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timezone

FAVORITE, WATCHLIST, WATCHED = "favorite", "watchlist", "watched"


class BadFile(Exception):
    """An upload we refuse as a whole (nothing of it is written): 400, or 413 when it
    is too big."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message, self.status = message, status


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_unpacked_bytes: int
    max_rows: int
    max_line_bytes: int


@dataclass(frozen=True)
class Row:
    """`kind`: a favorite (rated or liked), a watchlist entry, or a watched movie.
    Dates are ISO 8601 (UTC); `source` says where in the upload the row was."""

    kind: str
    source: str
    title: str | None = None
    year: int | None = None
    tmdb_id: int | None = None
    imdb_id: str | None = None
    rating: int | None = None
    notes: str | None = None
    added_at: str | None = None
    changed_at: str | None = None

    def to_json(self) -> dict:
        return {name: value for name, value in asdict(self).items() if value is not None}

    @classmethod
    def from_json(cls, data: dict) -> "Row":
        return cls(**data)


def iso_date(text: str | None, where: str) -> str | None:
    """`2021-03-04` or a full ISO timestamp (`Z` allowed), as an ISO timestamp in UTC."""
    if not text or not text.strip():
        return None
    value = text.strip().replace("Z", "+00:00")
    try:
        parsed = (datetime.fromisoformat(value) if "T" in value or " " in value
                  else datetime.combine(date.fromisoformat(value), datetime.min.time()))
    except ValueError:
        raise BadFile(f"{where}: {text[:40]!r} is not a date (YYYY-MM-DD).") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc).isoformat()


def year_of(text: str | None, where: str) -> int | None:
    if text is None or not str(text).strip():
        return None
    try:
        year = int(str(text).strip())
    except ValueError:
        raise BadFile(f"{where}: {str(text)[:20]!r} is not a year.") from None
    if not 1870 <= year <= 2200:
        raise BadFile(f"{where}: {year} is not a year.")
    return year
