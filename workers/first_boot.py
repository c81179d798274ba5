"""A fresh installation has an empty catalog until the first hourly beat; so when a
worker starts and finds no movie and no curated list, it queues one full sync.

This runs in the worker's main process, which forks the pool processes (also later,
to replace one that died): it uses connections of its own and closes them, so the
main process holds no database or Redis connection a pool process could inherit."""
from __future__ import annotations

import logging
from contextlib import closing

import redis
from celery.signals import worker_ready
from redis.exceptions import RedisError
from sqlalchemy import create_engine, pool, text
from sqlalchemy.exc import SQLAlchemyError

from adapters.messaging.task_sender import TaskSender
from movienexus.config import Settings, load

log = logging.getLogger(__name__)
SEED_LOCK_KEY = "catalog:first-boot-sync"


def catalog_is_empty(settings: Settings) -> bool:
    engine = create_engine(settings.database_url, poolclass=pool.NullPool)
    try:
        with engine.connect() as conn:
            return conn.execute(text(
                "SELECT NOT EXISTS (SELECT 1 FROM read_movies) "
                "AND NOT EXISTS (SELECT 1 FROM read_lists)")).scalar_one()
    finally:
        engine.dispose()


def first_to_ask(settings: Settings) -> bool:
    """Several workers may start together: only the first one asks."""
    with closing(redis.Redis.from_url(settings.redis_url, socket_timeout=2,
                                      socket_connect_timeout=2)) as client:
        return bool(client.set(SEED_LOCK_KEY, "1", nx=True, ex=3600))


@worker_ready.connect
def seed_an_empty_catalog(sender=None, **_kwargs) -> None:
    settings = load()
    if not settings.seed_empty_catalog:
        return
    try:
        if not catalog_is_empty(settings):
            log.info("first-start check: the catalog has movies, no sync needed")
            return
        if not first_to_ask(settings):
            return
    except (SQLAlchemyError, RedisError) as exc:
        log.warning("could not check the catalog at start: %r", exc)
        return
    log.info("empty catalog: queued a full TMDb sync (task %s)", request_full_sync(settings))


def request_full_sync(settings: Settings) -> str:
    """Sends the sync through a task sender of its own, closed after: the main process
    keeps no broker connection a pool process could inherit (not the process-wide
    container's, which the pool processes use)."""
    sender = TaskSender(settings)
    try:
        return sender.request_sync("all")
    finally:
        sender.app.close()
