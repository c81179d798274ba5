"""Where the changes sync picks up: the UTC day its last successful run started, in Redis.

TMDb's /movie/changes takes whole days and at most 14 of them, so the window runs from
that day (clamped to 14 days back) to now. With no checkpoint (first run, or Redis lost
it) the window is TMDb's default, the last 24 hours. Going over a day twice is harmless:
an unchanged movie emits no event.
"""
from __future__ import annotations

import datetime as dt
from redis import Redis

CHECKPOINT_KEY = "catalog_sync:changes:since"
MAX_DAYS = 14


def today() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()


def start_date(redis: Redis, now: dt.date) -> dt.date | None:
    """The first day to ask TMDb about, or None for TMDb's default window."""
    raw = redis.get(CHECKPOINT_KEY)
    if not raw:
        return None
    since = dt.date.fromisoformat(raw.decode() if isinstance(raw, bytes) else raw)
    return max(since, now - dt.timedelta(days=MAX_DAYS))


def save(redis: Redis, started_on: dt.date) -> None:
    """Records a successful run that started on `started_on`."""
    redis.set(CHECKPOINT_KEY, started_on.isoformat())
