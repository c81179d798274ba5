"""`import_catalog`: every movie of a TMDB-5000-style CSV, through ImportMovie
(complete=True), so a bulk load becomes events like any other write; importing the
same file again emits none."""
from __future__ import annotations

import functools
import itertools
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Mapping

from catalog_sync import commands
from catalog_sync.context import sync_context
from catalog_sync.csv_catalog import count_rows, detail_from_row, read_rows
from catalog_sync.pool import Job, JobPool, Tally
from catalog_sync.report import Progress, SyncReport, no_progress, sync_run
from domain.ports import MessageContext

if TYPE_CHECKING:
    from movienexus.bootstrap import Container

log = logging.getLogger("catalog_sync")


def import_catalog(container: Container, csv_path: str | Path, limit: int | None = None,
                   progress: Progress = no_progress) -> SyncReport:
    """Imports the first `limit` rows (all without one); unreadable rows are errors."""
    context = sync_context("import")
    with sync_run(container, "import-catalog") as report:
        pool = JobPool(report, progress, container.settings.sync_concurrency,
                       f"import {Path(csv_path).name}")
        total = count_rows(csv_path)
        pool.expect(min(total, limit) if limit is not None else total)
        rows = itertools.islice(read_rows(csv_path), limit)
        pool.run(_import_jobs(container, rows, context))
    return report


def _import_jobs(container: Container, rows: Iterator[Mapping[str, str]],
                 context: MessageContext | None) -> Iterator[Job]:
    for line, row in enumerate(rows, start=2):
        yield functools.partial(_import_row, container, row, line, context)


def _import_row(container: Container, row: Mapping[str, str], line: int,
                context: MessageContext | None) -> Tally:
    try:
        detail = detail_from_row(row)
    except (KeyError, ValueError, TypeError) as exc:
        log.warning("CSV line %d skipped: %r", line, exc)
        return {"fetched": 1, "errors": 1}
    outcome = commands.import_movie(container, detail, complete=True, context=context)
    return {"fetched": 1, outcome: 1}
