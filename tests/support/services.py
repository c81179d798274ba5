"""The service tiers' plugin (integration, e2e, contract): every test there talks to
the real PostgreSQL, Redis and RabbitMQ, and a service that does not answer stops the
whole run as a failure, never a skip. tests/conftest.py registers it only when the run
includes a test outside tests/unit, so the unit tier runs with no service at all.

At the start it checks the services, creates and migrates the test database; at the end
it deletes the test namespace's queues and exchanges."""
from dataclasses import replace

import pytest
import redis

from movienexus import database, services
from movienexus.bootstrap import Container
from movienexus.config import Settings
from tests.support.smtp import start_smtp
from tests.support.stack import Process, free_port, wait_for_worker
from tests.support.util import eventually, unique_email  # noqa: F401


def pytest_sessionstart(session):
    missing = services.missing_services(Settings())
    if missing:
        pytest.exit("FAILED: the tests need real services:\n" + "\n".join(missing),
                    returncode=3)
    _create(Settings().database_url, Settings().redis_url)


def pytest_sessionfinish(session, exitstatus):
    from tests.support.broker_cleanup import delete_namespace
    settings = Settings()
    delete_namespace(settings.broker_url, settings.amqp_namespace)


def _create(database_url: str, redis_url: str) -> None:
    """A database made afresh starts its versions at 1 again: its Redis db must not
    keep documents of higher versions from an earlier database of the same name."""
    if database.create_database(database_url):
        redis.Redis.from_url(redis_url).flushdb()
    database.upgrade(database_url)


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings()


@pytest.fixture(scope="session")
def container(settings) -> Container:
    return Container(settings)


@pytest.fixture(scope="session")
def isolated_settings(settings) -> Settings:
    """A database, Redis db and AMQP namespace no background process touches."""
    url = f"{settings.database_url}_iso"
    redis_base, redis_db = settings.redis_url.rsplit("/", 1)
    redis_url = f"{redis_base}/{int(redis_db) + 1}"
    _create(url, redis_url)
    return replace(settings, database_url=url, redis_url=redis_url,
                   amqp_namespace=f"{settings.amqp_namespace}_iso")


@pytest.fixture(scope="session")
def isolated(isolated_settings) -> Container:
    return Container(isolated_settings)


@pytest.fixture(scope="session")
def smtp():
    port = free_port()
    controller, inbox = start_smtp(port)
    inbox.port = port
    yield inbox
    controller.stop()


class Pipeline:
    """The relay, the Celery workers (both lanes' and the reactions') and beat (the
    sweeper's clock), started from the Procfile like `make run` does."""

    WORKERS = ("people-worker", "reactions-worker", "catalog-worker")

    def __init__(self, env: dict[str, str], log_dir):
        self.env, self.log_dir = env, log_dir
        self.workers: dict[str, Process] = {}
        self.relay = Process("relay", env, log_dir).start()
        self.beat = Process("beat", env, log_dir).start()
        try:
            for name in self.WORKERS:
                self.start_worker(name)
        except BaseException:
            self.stop()
            raise

    @property
    def worker(self) -> Process:
        """The people lane's worker (the projections of users, sessions and libraries)."""
        return self.workers["people-worker"]

    def start_worker(self, name: str = "people-worker") -> Process:
        worker = Process(name, self.env, self.log_dir).start()
        wait_for_worker(worker)
        self.workers[name] = worker
        return worker

    def stop(self) -> None:
        for process in (self.relay, self.beat, *self.workers.values()):
            process.stop()


def pipeline_env(settings: Settings, smtp_port: int) -> dict[str, str]:
    return {"DATABASE_URL": settings.database_url, "REDIS_URL": settings.redis_url,
            "AMQP_NAMESPACE": settings.amqp_namespace, "SMTP_PORT": str(smtp_port),
            "SMTP_HOST": "127.0.0.1", "PEOPLE_WORKER_CONCURRENCY": "2",
            "CATALOG_WORKER_CONCURRENCY": "1", "REACTIONS_WORKER_CONCURRENCY": "1",
            "RELAY_POLL_SECONDS": "0.5",
            "SWEEP_EVERY": "1", "SWEEP_GRACE": "1"}


@pytest.fixture(scope="session")
def pipeline(settings, smtp, tmp_path_factory):
    running = Pipeline(pipeline_env(settings, smtp.port), tmp_path_factory.mktemp("logs"))
    yield running
    running.stop()


@pytest.fixture(scope="session")
def app(container):
    from api import create_app
    return create_app(container=container)


@pytest.fixture
def client(app):
    return app.test_client()
