"""The catalog-read tests' world: a database and Redis db of their own (rebuilt each
session), filled from the bundled TMDb server's own generated catalog through the
catalog commands, projected in-process. Built once per session (`catalog_world`).

Redis db 5 belongs to these tests (db 4 is the sync tests').
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import text

from domain.catalog import commands
from movienexus.bootstrap import Container
from movienexus.config import Settings
from adapters.messaging.envelope import Envelope
from read_models.projections.framework import Outcome
from tests.support.databases import derived, recreate_database  # noqa: F401
from domain.catalog.vocabulary import CURATED_LISTS, TRENDING_WINDOWS, trending_list
from tmdb_server import shapes
from tmdb_server.generator import DEFAULT_COUNT, DEFAULT_SEED, generate_movies
from tmdb_server.model import Movie

CATALOG_REDIS_OFFSET = 4


def catalog_settings(settings: Settings, tmdb_base_url: str) -> Settings:
    return derived(settings, "catalog", CATALOG_REDIS_OFFSET,
                   tmdb_base_url_raw=tmdb_base_url, rate_limits_enabled=False)


def project_new_events(container: Container, after_position: int) -> int:
    """Applies every event after `after_position`, in order; returns the last position."""
    with container.engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM events WHERE position > :p ORDER BY position"),
                            {"p": after_position}).mappings().all()
    for row in rows:
        outcome = container.projection_runner.apply(Envelope.from_row(row))
        assert outcome is not Outcome.EARLY, row
    return rows[-1]["position"] if rows else after_position


def last_position(container: Container) -> int:
    with container.engine.connect() as conn:
        return conn.execute(text("SELECT coalesce(max(position), 0) FROM events")).scalar()


@dataclass
class CatalogWorld:
    """What the tests may rely on: which served movies are stored and which are not."""

    container: Container
    stored: list[Movie]
    not_stored: list[Movie]
    import_seconds: float
    project_seconds: float


def build_world(container: Container) -> CatalogWorld:
    """Stores 3 of every 5 of the server's movies (6,000 of 10,000), the genres, the
    lists of the server's first pages and one movie's relations."""
    container.redis.flushdb()
    container.cache.flushdb()
    served = generate_movies(DEFAULT_SEED, DEFAULT_COUNT)
    stored = [m for i, m in enumerate(served) if i % 5 < 3]
    container.handle(commands.SyncGenres(shapes.genre_list()["genres"]))
    started = time.perf_counter()
    for movie in stored:
        container.handle(commands.ImportMovie(shapes.list_item(movie)))
    imported = time.perf_counter()
    _sync_lists(container, {m.id for m in stored})
    projecting = time.perf_counter()
    project_new_events(container, 0)
    done = time.perf_counter()
    return CatalogWorld(container, stored, [m for i, m in enumerate(served) if i % 5 >= 3],
                        imported - started, done - projecting)


def _sync_lists(container: Container, stored_ids: set[int]) -> None:
    """Each list: the server's first page, keeping the movies we store (a real sync
    would import the others first)."""
    tmdb = container.tmdb
    pages = {**{name: tmdb.curated_list(name) for name in CURATED_LISTS},
             **{trending_list(w): tmdb.trending(w) for w in TRENDING_WINDOWS}}
    for name, body in pages.items():
        ids = [item["id"] for item in body["results"] if item["id"] in stored_ids]
        container.handle(commands.RefreshList(name, ids))


_worlds: dict[str, CatalogWorld] = {}


def catalog_world(settings: Settings, tmdb_base_url: str) -> CatalogWorld:
    """One world per session, whichever test module asks first."""
    chosen = catalog_settings(settings, tmdb_base_url)
    if chosen.database_url not in _worlds:
        recreate_database(chosen.database_url)
        _worlds[chosen.database_url] = build_world(Container(chosen))
    return _worlds[chosen.database_url]
