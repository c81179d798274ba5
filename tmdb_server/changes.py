"""The record of which movie changed when, behind /3/movie/changes."""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import date, datetime, timezone
from typing import Mapping

from . import errors, params


class ChangeLog:
    """Append-only (time, movie id) entries; times come from the catalog's clock.

    Not locked itself: the catalog that owns it holds its lock around every call.
    """

    def __init__(self) -> None:
        self._times: list[float] = []
        self._ids: list[int] = []

    def record(self, movie_id: int, at: float) -> None:
        if self._times and at < self._times[-1]:
            at = self._times[-1]  # keep the log sorted even if the clock steps back
        self._times.append(at)
        self._ids.append(movie_id)

    def changed_between(self, start: float, end: float) -> list[int]:
        """Ids changed in [start, end], most recently changed first, each once."""
        first = bisect_left(self._times, start)
        last = bisect_right(self._times, end)
        newest_first = reversed(self._ids[first:last])
        return list(dict.fromkeys(newest_first))

    def __len__(self) -> int:
        return len(self._ids)


DAY_SECONDS = 86_400.0
MAX_RANGE_DAYS = 14


def requested_window(args: Mapping[str, str], now: float) -> tuple[float, float]:
    """The [start, end] (epoch seconds) /3/movie/changes asks for; the last 24 h by default.

    Dates are whole UTC days, ``end_date`` included. 400 code 20 when the range
    runs backwards or over 14 days.
    """
    start, end = params.day(args, "start_date"), params.day(args, "end_date")
    end_at = _day_start(end) + DAY_SECONDS if end else now
    start_at = _day_start(start) if start else end_at - DAY_SECONDS
    if start and end and not 0 <= (end - start).days <= MAX_RANGE_DAYS:
        raise errors.invalid_date_range()
    if not 0 <= end_at - start_at <= (MAX_RANGE_DAYS + 1) * DAY_SECONDS:
        raise errors.invalid_date_range()
    return start_at, end_at


def _day_start(day: date) -> float:
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp()
