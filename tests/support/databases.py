"""Databases, Redis dbs and namespaces of a test suite's own, derived from its settings,
so that two suites with different TEST_* settings never touch each other's data."""
from __future__ import annotations

import functools
from dataclasses import replace

import psycopg
from sqlalchemy.engine import make_url

from movienexus import database
from movienexus.config import Settings


@functools.cache  # once per test process, however many modules ask
def recreate_database(database_url: str) -> None:
    url = make_url(database_url)
    admin = url.set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
    database.create_database(database_url)
    database.upgrade(database_url)


def derived(settings: Settings, suffix: str, redis_offset: int, **changes) -> Settings:
    """`movienexus_test` → `movienexus_test_<suffix>`; Redis db n → n + offset."""
    redis_base, redis_db = settings.redis_url.rsplit("/", 1)
    return replace(settings, database_url=f"{settings.database_url}_{suffix}",
                   redis_url=f"{redis_base}/{int(redis_db) + redis_offset}",
                   amqp_namespace=f"{settings.amqp_namespace}_{suffix}", **changes)
