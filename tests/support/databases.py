"""Databases, Redis dbs and namespaces of a test suite's own, derived from its settings,
so that two suites with different TEST_* settings never touch each other's data."""
from __future__ import annotations

import functools
from dataclasses import replace

from movienexus import database
from movienexus.config import Settings


@functools.cache  # once per test process, however many modules ask
def recreate_database(database_url: str) -> None:
    database.recreate_database(database_url)


def derived(settings: Settings, suffix: str, redis_offset: int, **changes) -> Settings:
    """`movienexus_test` → `movienexus_test_<suffix>`; Redis db n → n + offset."""
    redis_base, redis_db = settings.redis_url.rsplit("/", 1)
    return replace(settings, database_url=f"{settings.database_url}_{suffix}",
                   redis_url=f"{redis_base}/{int(redis_db) + redis_offset}",
                   amqp_namespace=f"{settings.amqp_namespace}_{suffix}", **changes)
