"""A fresh installation: the worker finds an empty catalog, queues one full sync from
the (bundled) TMDb server, and the lists fill without waiting for the hourly beat."""
from sqlalchemy import text

from movienexus.bootstrap import Container
from movienexus.devtools.processes import Process, wait_for_worker
from tests.support.databases import derived, recreate_database
from tests.support.fixtures_tmdb import tmdb_server  # noqa: F401
from tests.support.util import eventually


def count(container: Container, table: str) -> int:
    with container.engine.connect() as conn:
        return conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


def test_a_worker_on_an_empty_catalog_seeds_it(settings, tmdb_server, tmp_path):  # noqa
    fresh = derived(settings, "first_start", 6, tmdb_base_url_raw=tmdb_server.base_url)
    recreate_database(fresh.database_url)
    container = Container(fresh)
    container.redis.flushdb()
    container.cache.flushdb()
    env = {"DATABASE_URL": fresh.database_url, "REDIS_URL": fresh.redis_url,
           "AMQP_NAMESPACE": fresh.amqp_namespace, "TMDB_BASE_URL": tmdb_server.base_url,
           "SEED_EMPTY_CATALOG": "true", "SYNC_LIST_PAGES": "1", "SYNC_RELATED_LIMIT": "3",
           "CATALOG_WORKER_CONCURRENCY": "2", "RELAY_POLL_SECONDS": "0.5"}
    relay = Process("relay", env, tmp_path).start()
    worker = Process("catalog-worker", env, tmp_path).start()
    try:
        wait_for_worker(worker)
        eventually(lambda: count(container, "read_lists") >= 6, timeout=90, interval=0.5)
        assert count(container, "read_movies") >= 20
        assert count(container, "read_genres") >= 19
    finally:
        worker.stop()
        relay.stop()
