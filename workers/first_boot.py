"""A fresh installation has an empty catalog until the first hourly beat; so when a
worker starts and finds no movie and no curated list, it queues one full sync."""
from __future__ import annotations

import logging

from celery.signals import worker_ready
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from movienexus.bootstrap import bootstrap

log = logging.getLogger(__name__)
SEED_LOCK_KEY = "catalog:first-boot-sync"


def catalog_is_empty() -> bool:
    with bootstrap().engine.connect() as conn:
        return conn.execute(text(
            "SELECT NOT EXISTS (SELECT 1 FROM read_movies) "
            "AND NOT EXISTS (SELECT 1 FROM read_lists)")).scalar_one()


@worker_ready.connect
def seed_an_empty_catalog(sender=None, **_kwargs) -> None:
    if not bootstrap().settings.seed_empty_catalog:
        return
    try:
        if not catalog_is_empty():
            return
        # several workers may start together: only the first one asks
        if not bootstrap().redis.set(SEED_LOCK_KEY, "1", nx=True, ex=3600):
            return
    except (SQLAlchemyError, RedisError) as exc:
        log.warning("could not check the catalog at start: %r", exc)
        return
    log.info("empty catalog: queued a full TMDb sync (task %s)",
             bootstrap().tasks.request_sync("all"))
