"""Databases of the catalog benchmarks' own, rebuilt each run so every run starts from
the same empty catalog, and the bundled TMDb server they sync from."""
from __future__ import annotations

from dataclasses import replace

from bench.environment import bench_settings
from movienexus import database
from movienexus.bootstrap import Container
from movienexus.config import Settings


def fresh_settings(database_name: str, tmdb_base_url: str) -> Settings:
    """Bench settings on a just-created database `database_name`, syncing from the server."""
    base = bench_settings()
    url = base.database_url.rsplit("/", 1)[0] + f"/{database_name}"
    database.recreate_database(url)
    return replace(base, database_url=url, tmdb_base_url_raw=tmdb_base_url)


def fresh_container(settings: Settings) -> Container:
    """A container on `settings` with an empty Redis db and a full TMDb token bucket."""
    container = Container(settings)
    container.redis.flushdb()
    container.cache.flushdb()
    return container
