"""TMDb's changes feed, for movies already stored: fetch each one's detail and import it
complete; one TMDb no longer knows is delisted. The checkpoint moves only after a run
that finished, so an outage mid-run means the next run covers the same days again."""
from __future__ import annotations

import datetime as dt
import functools
from typing import TYPE_CHECKING, Any, Iterator

from adapters.tmdb import TmdbClient, TmdbNotFound
from catalog_sync import checkpoint, commands
from catalog_sync.context import sync_context
from catalog_sync.pages import TMDB_LAST_PAGE, fetch_pages
from catalog_sync.pool import Job, JobPool, Tally
from catalog_sync.queries import stored_movie_ids
from catalog_sync.report import Progress, SyncReport, no_progress, sync_run
from domain.ports import MessageContext

if TYPE_CHECKING:
    from movienexus.bootstrap import Container

DELIST_REASON = "no longer on TMDb"


def sync_changes(container: Container, progress: Progress = no_progress) -> SyncReport:
    started_on = checkpoint.today()
    since = checkpoint.start_date(container.redis, started_on)
    context = sync_context("changes")
    with sync_run(container, "changes") as report:
        changed = changed_ids(container, since)
        stored = stored_movie_ids(container.engine, changed)
        report.add(fetched=len(stored))
        pool = JobPool(report, progress, container.settings.sync_concurrency, "sync changes")
        pool.expect(len(stored))
        pool.run(_refresh_jobs(container, stored, context))
        checkpoint.save(container.redis, started_on)
    return report


def changed_ids(container: Container, since: dt.date | None) -> list[int]:
    """Every movie id in the changes feed since `since` (None: the last 24 hours)."""
    fetch = functools.partial(_changes_page, container.tmdb, since)
    pages = fetch_pages(fetch, TMDB_LAST_PAGE, container.settings.sync_concurrency)
    ids = (item["id"] for page in pages for item in page.get("results") or [])
    return list(dict.fromkeys(ids))


def refresh_movie(container: Container, tmdb_id: int,
                  context: MessageContext | None = None) -> Tally:
    """Imports a stored movie's detail anew, or delists it when TMDb answers 404."""
    try:
        detail = container.tmdb.movie(tmdb_id)
    except TmdbNotFound:
        return {commands.delist_movie(container, tmdb_id, DELIST_REASON, context): 1}
    return {commands.import_movie(container, detail, complete=True, context=context): 1}


def _changes_page(tmdb: TmdbClient, since: dt.date | None, page: int) -> dict[str, Any]:
    return tmdb.changes(start_date=since, page=page)


def _refresh_jobs(container: Container, ids: list[int],
                  context: MessageContext | None) -> Iterator[Job]:
    for tmdb_id in ids:
        yield functools.partial(refresh_movie, container, tmdb_id, context)
