"""Running an import (the `library.import` task, on the catalog lane): match every
pending row, then write the matched ones in batches, each batch one `ImportEntries`
command (one transaction on the person's library). Each step is recorded per row, so a
run killed anywhere is resumed by the next delivery of the task: rows already matched
are not asked again, batches already written are not written again, and a batch
written but not yet marked is harmless to write again (the command changes nothing
that is already so).

Between batches the run waits (up to SETTLE_SECONDS) for the person's library to be
projected up to what it wrote: a batch's events then never queue ahead of the person's
own clicks by more than one batch, so a click's own read is not kept waiting behind the
whole import."""
from __future__ import annotations

import logging
import random
import time
from typing import TYPE_CHECKING

from redis.exceptions import RedisError

from adapters.db.imports import (DONE, FINISHED, MATCHING, PENDING, WRITING, ImportStore,
                                 StoredRow)
from domain.errors import ConcurrencyConflict
from domain.library.commands import ImportEntries
from domain.ports import MessageContext
from library_transfer.entries import entries_of
from library_transfer.matcher import RowMatcher
from library_transfer.matching import MATCHED, UNMATCHED
from library_transfer.rows import Row
from read_models.stores.activity import ImportProgress
from read_models.stores.markers import applied_key

if TYPE_CHECKING:
    from movienexus.bootstrap import Container

log = logging.getLogger(__name__)
CONFLICT_RETRIES = 10
SETTLE_SECONDS = 10.0


def run_import(container: Container, import_id: str) -> str:
    store = ImportStore(container.engine, ImportProgress(container.redis, container.engine))
    with store.running(import_id) as held:
        if not held:
            return "running in another worker"
        job = store.job(import_id)
        if job is None or job["status"] in FINISHED:
            return "nothing to do"
        context = MessageContext(correlation_id=f"import-{import_id}",
                                 actor_id=job["user_id"])
        _match(container, store, import_id, context)
        _write(container, store, job, context)
        store.set_status(import_id, DONE)
    return "done"


def _match(container: Container, store: ImportStore, import_id: str,
           context: MessageContext) -> None:
    store.set_status(import_id, MATCHING)
    matcher = RowMatcher(container, context)
    size = container.settings.import_batch_size
    while pending := store.rows(import_id, outcome=PENDING, limit=size):
        store.save_matches(import_id, matcher.match(pending))


def _write(container: Container, store: ImportStore, job: dict,
           context: MessageContext) -> None:
    store.set_status(job["id"], WRITING)
    rows = store.rows(job["id"], outcome=MATCHED, written=False)
    for batch in _batches(rows, container.settings.import_batch_size):
        missing = _write_batch(container, job, batch, context)
        store.save_matches(job["id"], [
            StoredRow(r.row_no, {}, UNMATCHED, how="not in the catalog")
            for r in batch if r.tmdb_id in missing])
        store.mark_written(job["id"], [r.row_no for r in batch if r.tmdb_id not in missing])


def _batches(rows: list[StoredRow], movies_per_batch: int) -> list[list[StoredRow]]:
    """Rows in batches of whole movies (every row of a movie in the same batch)."""
    by_movie: dict[int, list[StoredRow]] = {}
    for row in rows:
        by_movie.setdefault(row.tmdb_id, []).append(row)
    movies = sorted(by_movie)
    return [[row for tmdb_id in movies[i:i + movies_per_batch] for row in by_movie[tmdb_id]]
            for i in range(0, len(movies), movies_per_batch)]


def _write_batch(container: Container, job: dict, batch: list[StoredRow],
                 context: MessageContext) -> set[int]:
    entries = entries_of([(r.tmdb_id, Row.from_json(r.entry)) for r in batch])
    command = ImportEntries(job["user_id"], tuple(entries), job["overwrite"])
    for attempt in range(CONFLICT_RETRIES + 1):
        try:
            handled = container.handle(command, context)
            break
        except ConcurrencyConflict:
            if attempt == CONFLICT_RETRIES:
                raise
            time.sleep(random.uniform(0, 0.01 * (attempt + 1)))
    if handled.commit.event_count:
        container.own_writes.remember(job["user_id"], handled.commit)
        _settled(container, job["user_id"], handled.commit.last_aggregate_version)
    return set(handled.value.missing)


def _settled(container: Container, user_id: str, version: int) -> None:
    """Waits until the person's library is projected up to `version` (or SETTLE_SECONDS
    passed: a slow projection delays the import, never stops it)."""
    key, deadline = applied_key("library", user_id), time.monotonic() + SETTLE_SECONDS
    try:
        while int(container.redis.get(key) or 0) < version and time.monotonic() < deadline:
            time.sleep(0.02)
    except RedisError:
        log.warning("redis unavailable: not waiting for import batches to be projected")
