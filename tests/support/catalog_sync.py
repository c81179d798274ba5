"""Fixtures and helpers of the catalog-sync tests: a database and Redis db of their own
(rebuilt each session, so event counts start from nothing), a bundled TMDb server of
their own (faults and edits never reach other tests), and projections applied in-process.

Import the fixtures into a test module: ``from tests.support.catalog_sync import ...``.
"""
from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Iterator

import pytest
import redis
from sqlalchemy import text

from adapters.tmdb import build_tmdb_client
from movienexus.bootstrap import Container
from movienexus.config import Settings
from read_models.queries import catalog_queries
from adapters.messaging.envelope import Envelope
from read_models.projections.framework import Outcome
from read_models.stores.markers import LAST_POSITION_KEY
from tests.support.databases import derived, recreate_database
from tests.support.tmdb_server import TmdbServer, running_tmdb_server

SYNC_REDIS_OFFSET = 3
SERVER_MOVIES = 1500


@pytest.fixture(scope="session")
def sync_settings(settings: Settings) -> Settings:
    chosen = derived(settings, "sync", SYNC_REDIS_OFFSET, sync_concurrency=4)
    recreate_database(chosen.database_url)
    _flush_once(chosen.redis_url)
    return chosen


@functools.cache
def _flush_once(redis_url: str) -> None:
    redis.Redis.from_url(redis_url).flushdb()


@pytest.fixture(scope="session")
def sync_server() -> Iterator[TmdbServer]:
    with running_tmdb_server(movies=SERVER_MOVIES) as server:
        yield server


def container_for(settings: Settings, server: TmdbServer) -> Container:
    """A container on the server whose TMDb client gives up on an outage in well under
    a second (the client's own retry timings are tested in test_tmdb_client)."""
    container = Container(replace(settings, tmdb_base_url_raw=server.base_url))
    container.tmdb = build_tmdb_client(container.settings, container.redis, backoff=0.01,
                                       max_backoff=0.02, max_retries=2)
    return container


@pytest.fixture
def catalog(sync_settings: Settings, sync_server: TmdbServer) -> Iterator[Container]:
    sync_server.reset()
    yield container_for(sync_settings, sync_server)
    sync_server.reset()


def last_position(container: Container) -> int:
    with container.engine.connect() as conn:
        return conn.execute(text("SELECT coalesce(max(position), 0) FROM events")).scalar()


def events_since(container: Container, position: int) -> list[Envelope]:
    with container.engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM events WHERE position > :p ORDER BY position"),
                            {"p": position}).mappings().all()
    return [Envelope.from_row(row) for row in rows]


def project_pending(container: Container) -> None:
    """Applies, in order, every event not applied yet, as the workers would."""
    applied = int(container.redis.get(LAST_POSITION_KEY) or 0)
    for event in events_since(container, applied):
        outcome = container.projection_runner.apply(event)
        assert outcome is not Outcome.EARLY, event


def served_detail(container: Container, tmdb_id: int) -> dict | None:
    body = catalog_queries.movie_detail(container.documents, container.engine, tmdb_id)
    return json.loads(body) if body else None


def served_list(container: Container, name: str) -> list[int]:
    return catalog_queries.list_ids(container.documents, container.engine, name)


def run_cli(settings: Settings, *args: str, **env: str) -> subprocess.CompletedProcess:
    """`movienexus …` as an operator runs it, on the sync tests' database and Redis db."""
    environment = {**os.environ, "DATABASE_URL": settings.database_url,
                   "REDIS_URL": settings.redis_url, "COLUMNS": "120", **env}
    return subprocess.run([str(Path(sys.executable).parent / "movienexus"), *args],
                          env=environment, capture_output=True, text=True, timeout=120)
