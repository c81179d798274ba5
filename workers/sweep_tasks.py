"""`read_models.sweep`: one lane's catch-up sweep, sent by beat every SWEEP_EVERY seconds
to that lane's own queue. A store that is down just ends this run; the next one is due."""
from __future__ import annotations

import logging

from celery import shared_task
from redis.exceptions import RedisError
from sqlalchemy.exc import DBAPIError

from adapters.outages import describe, is_outage

from adapters.messaging.topology import SWEEP_TASK
from movienexus.bootstrap import bootstrap

log = logging.getLogger(__name__)


@shared_task(name=SWEEP_TASK)
def sweep(lane: str) -> str:
    try:
        return bootstrap().sweeper(lane).sweep().summary()
    except (DBAPIError, RedisError) as exc:
        if not is_outage(exc):
            raise               # a defect, not an outage: Celery logs it with its trace
        log.warning("sweep of %s skipped, a store is down: %s", lane, describe(exc))
        return "skipped: a store is down"
