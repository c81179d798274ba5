"""TMDb's full detail for listed movies the catalog knows only from a list (no runtime,
budget, tagline...): each is fetched and imported complete, at most SYNC_DETAILS_LIMIT
per run, best-ranked first. A person who opens or favorites one first gets it on the
spot instead; this sync makes that wait rare."""
from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Iterator

from catalog_sync.changes import refresh_movie
from catalog_sync.context import sync_context
from catalog_sync.pool import Job, JobPool
from catalog_sync.queries import curated_movie_ids, incomplete_movie_ids
from catalog_sync.report import Progress, SyncReport, no_progress, sync_run
from domain.ports import MessageContext

if TYPE_CHECKING:
    from movienexus.bootstrap import Container

LISTED_LIMIT = 100_000


def sync_details(container: Container, progress: Progress = no_progress,
                 limit: int | None = None) -> SyncReport:
    limit = limit or container.settings.sync_details_limit
    context = sync_context("details")
    with sync_run(container, "details") as report:
        listed = curated_movie_ids(container.engine, LISTED_LIMIT)
        ids = incomplete_movie_ids(container.engine, listed)[:limit]
        report.add(fetched=len(ids))
        pool = JobPool(report, progress, container.settings.sync_concurrency, "sync details")
        pool.expect(len(ids))
        pool.run(_jobs(container, ids, context))
    return report


def _jobs(container: Container, ids: list[int], context: MessageContext) -> Iterator[Job]:
    for tmdb_id in ids:
        yield functools.partial(refresh_movie, container, tmdb_id, context)
