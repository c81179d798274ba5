"""Library imports on the catalog lane (bulk work: never in the way of anyone's own
projections): `library.import` runs one (library_transfer.job), and
`library.resume_imports`, sent by beat, sends it again for every import not done (a
lost message or a killed worker; a run already going holds the import's lock and the
second one returns at once)."""
from __future__ import annotations

import logging

from celery import Task, shared_task

from adapters.db.imports import ImportStore
from adapters.messaging import topology
from adapters.outages import describe, is_outage
from adapters.tmdb import TmdbError
from library_transfer.job import run_import
from movienexus.bootstrap import bootstrap
from movienexus.config import Settings
from workers.retry_policy import failure_delay

log = logging.getLogger(__name__)
RESUME_EVERY = 60.0


@shared_task(name=topology.IMPORT_TASK, bind=True, max_retries=None)
def import_library(self: Task, import_id: str) -> str:
    try:
        return run_import(bootstrap(), import_id)
    except Exception as exc:
        if not (isinstance(exc, TmdbError) or is_outage(exc)):
            raise
        log.warning("import %s waiting for a store or TMDb: %s", import_id, describe(exc))
        raise self.retry(args=(import_id,),
                         countdown=failure_delay(min(self.request.retries, 6), 1.0, cap=60.0))


@shared_task(name=topology.RESUME_IMPORTS_TASK)
def resume_imports() -> str:
    unfinished = ImportStore(bootstrap().engine).unfinished()
    for import_id in unfinished:
        bootstrap().tasks.request_import(import_id)
    return f"{len(unfinished)} resumed"


def beat_entries(settings: Settings) -> dict[str, dict]:
    return {"library-resume-imports": {
        "task": topology.RESUME_IMPORTS_TASK, "schedule": RESUME_EVERY,
        "options": {**topology.lane_route(settings.amqp_namespace, topology.CATALOG,
                                          "resume-imports"), "expires": RESUME_EVERY}}}
