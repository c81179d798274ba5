"""Library imports on the catalog lane (bulk work: never in the way of anyone's own
projections): `library.import` runs one (library_transfer.job), and
`library.resume_imports`, sent by beat, sends it again for every import neither done nor
failed whose backoff is over (a lost message or a killed worker; a run already going
holds the import's lock and the second one returns at once).

A run that fails for the import's own reasons counts as an attempt: it is tried again
with backoff and jitter (workers/retry_policy.py), and after IMPORT_MAX_ATTEMPTS it is
parked as poison: status failed, with the reason GET /me/imports/{id} shows, its rows
kept, its message acknowledged and never re-sent. A store that is down or TMDb out of
reach is an outage, not an attempt: it is waited for, however long it takes."""
from __future__ import annotations

import logging

from celery import Task, shared_task

from adapters.db.imports import ImportStore
from adapters.messaging import topology
from adapters.outages import count_outage, describe, is_outage
from adapters.tmdb import TmdbError
from library_transfer.job import run_import
from movienexus.bootstrap import bootstrap
from movienexus.config import Settings
from workers.retry_policy import failure_delay, outage_delay

log = logging.getLogger(__name__)
RESUME_EVERY = 60.0


@shared_task(name=topology.IMPORT_TASK, bind=True, max_retries=None)
def import_library(self: Task, import_id: str) -> str:
    try:
        return run_import(bootstrap(), import_id)
    except Exception as exc:  # noqa: BLE001 (an outage is waited for; the rest counted)
        if isinstance(exc, TmdbError) or is_outage(exc):
            log.warning("import %s waiting for a store or TMDb: %s", import_id, describe(exc))
            count_outage("worker", exc)
            raise self.retry(args=(import_id,), countdown=outage_delay(
                self.request.retries, cap=60.0)) from None
        return _failed_attempt(self, import_id, exc)


def _failed_attempt(task: Task, import_id: str, exc: Exception) -> str:
    """Counts the attempt; tries again after a backoff, or parks the import as failed."""
    settings, store = bootstrap().settings, ImportStore(bootstrap().engine)
    job = store.job(import_id) or {"attempts": 0}
    delay = failure_delay(job["attempts"], settings.import_retry_backoff)
    attempts = store.failed_attempt(import_id, describe(exc), delay)
    if attempts >= settings.import_max_attempts:
        store.fail(import_id, failure_reason(attempts, exc))
        log.error("import %s failed %d times, parked as failed (poison): %s", import_id,
                  attempts, describe(exc))
        return "failed"
    log.warning("import %s failed (attempt %d of %d, next in %.0f s): %s", import_id,
                attempts, settings.import_max_attempts, delay, describe(exc))
    raise task.retry(args=(import_id,), countdown=delay) from None


def failure_reason(attempts: int, exc: Exception) -> str:
    """What the person reads on GET /me/imports/{id}."""
    return (f"The import stopped after {attempts} failed attempts; nothing more will be "
            f"tried. Rows written before it stopped stay in your library. Upload the file "
            f"again to retry. (Last error: {type(exc).__name__})")


@shared_task(name=topology.RESUME_IMPORTS_TASK)
def resume_imports() -> str:
    unfinished = ImportStore(bootstrap().engine).unfinished(due=True)
    for import_id in unfinished:
        bootstrap().tasks.request_import(import_id)
    return f"{len(unfinished)} resumed"


def beat_entries(settings: Settings) -> dict[str, dict]:
    return {"library-resume-imports": {
        "task": topology.RESUME_IMPORTS_TASK, "schedule": RESUME_EVERY,
        "options": {**topology.lane_route(settings.amqp_namespace, topology.CATALOG,
                                          "resume-imports"), "expires": RESUME_EVERY}}}
