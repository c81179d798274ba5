"""`catalog.sync`: one TMDb sync kind (genres, popular, ... changes, related, all), sent
by beat on its schedule or by the admin endpoint by name. Thin: catalog_sync does the
work, under a per-kind lock (a second start while one runs is skipped).

A TMDb outage (5xx, timeouts, 429s that outlasted the client's own retries) is retried
with backoff SYNC_MAX_RETRIES times, then given up on, logged, and left to the next beat.
"""
from __future__ import annotations

import logging

from celery import Task, shared_task

from catalog_sync import SyncFailed, run_sync
from domain.catalog.vocabulary import CURATED_LISTS
from catalog_sync.reachability import require_tmdb
from movienexus.bootstrap import bootstrap
from movienexus.config import Settings
from adapters.messaging import topology
from adapters.messaging.topology import SYNC_TASK
from workers.retry_policy import failure_delay

log = logging.getLogger(__name__)


@shared_task(name=SYNC_TASK, bind=True, max_retries=None)
def sync(self: Task, kind: str) -> str:
    container = bootstrap()
    try:
        require_tmdb(container.settings.tmdb_base_url, kind)
        report = run_sync(container, kind)
    except SyncFailed as failure:
        return _retry_or_give_up(self, kind, failure)
    return report.summary()


def _retry_or_give_up(task: Task, kind: str, failure: SyncFailed) -> str:
    settings = bootstrap().settings
    tries = task.request.retries
    if failure.transient and tries < settings.sync_max_retries:
        delay = failure_delay(tries, settings.sync_retry_backoff, cap=3600.0)
        log.warning("%s; retry %d of %d in %.0fs", failure, tries + 1,
                    settings.sync_max_retries, delay)
        raise task.retry(args=(kind,), countdown=delay)
    log.error("sync %s gave up after %d tries: %s", kind, tries + 1, failure)
    return f"gave up: {failure}"


def beat_entries(settings: Settings) -> dict[str, dict]:
    """One beat entry per sync kind, on the default queue the worker consumes; a run
    that waited longer than its own period is dropped (the next one is due anyway)."""
    queue = topology.queue_name(settings.amqp_namespace, "default")
    every = {"genres": settings.sync_genres_every,
             **{name: settings.sync_lists_every for name in CURATED_LISTS},
             "trending": settings.sync_trending_every,
             "changes": settings.sync_changes_every,
             "related": settings.sync_related_every,
             "details": settings.sync_details_every}
    return {f"catalog-sync-{kind}": {"task": SYNC_TASK, "schedule": seconds, "args": (kind,),
                                     "options": {"queue": queue, "expires": seconds}}
            for kind, seconds in every.items()}
