"""`run_sync(container, kind)`: one sync kind under its lock, as the CLI and tasks run it.

"all" runs every kind in turn, each under its own lock, so it never races a beat-run
of one of its parts; a part already running elsewhere is left to that run.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Callable

from catalog_sync.changes import sync_changes
from catalog_sync.details import sync_details
from catalog_sync.genres import sync_genres
from catalog_sync.lists import sync_list, sync_trending
from catalog_sync.locks import AlreadyRunning, SyncLock, holding
from catalog_sync.related import sync_related
from catalog_sync.report import Progress, SyncReport, no_progress
from domain.catalog.vocabulary import CURATED_LISTS, TRENDING_WINDOWS

if TYPE_CHECKING:
    from movienexus.bootstrap import Container

log = logging.getLogger("catalog_sync")
SKIPPED = "skipped: already running"
PARTS_OF_ALL = ("genres", *CURATED_LISTS, "trending", "changes", "related", "details")
KINDS = (*PARTS_OF_ALL, "all")

__all__ = ["KINDS", "AlreadyRunning", "run_sync"]

Sync = Callable[["Container", "int | None", Progress], SyncReport]


def run_sync(container: Container, kind: str, pages: int | None = None,
             progress: Progress = no_progress) -> SyncReport:
    """Runs a sync kind unless another run of it holds its lock (status "skipped: ...").

    Raises SyncFailed when TMDb fails it; what it wrote before that stays valid."""
    if kind not in KINDS:
        raise ValueError(f"no sync {kind!r}; kinds: {', '.join(KINDS)}")
    ttl = container.settings.sync_lock_seconds
    try:
        with holding(container.redis, kind, ttl) as lock:
            report = _SYNCS[kind](container, pages, _kept_alive(progress, lock))
    except AlreadyRunning:
        log.info("sync %s %s", kind, SKIPPED)
        return SyncReport(kind, status=SKIPPED).finish()
    log.info(report.summary())
    return report


def _sync_all(container: Container, pages: int | None, progress: Progress) -> SyncReport:
    total = SyncReport("all")
    for part in PARTS_OF_ALL:
        total.absorb(run_sync(container, part, pages, progress))
    return total.finish()


def _sync_trending(container: Container, pages: int | None, progress: Progress) -> SyncReport:
    total = SyncReport("trending")
    for window in TRENDING_WINDOWS:
        total.absorb(sync_trending(container, window, pages, progress))
    return total.finish()


def _kept_alive(progress: Progress, lock: SyncLock) -> Progress:
    def report_progress(done: int, expected: int | None, description: str) -> None:
        lock.keep_alive()
        progress(done, expected, description)
    return report_progress


def _list_sync(name: str) -> Sync:
    return lambda container, pages, progress: sync_list(container, name, pages, progress)


_SYNCS: dict[str, Sync] = {
    "genres": lambda container, _pages, progress: sync_genres(container, progress),
    **{name: _list_sync(name) for name in CURATED_LISTS},
    "trending": _sync_trending,
    "changes": lambda container, _pages, progress: sync_changes(container, progress),
    "related": lambda container, _pages, progress: sync_related(container, progress),
    "details": lambda container, _pages, progress: sync_details(container, progress),
    "all": _sync_all,
}
