"""The contract tier: the API served by gunicorn from the Procfile, as tests/e2e serves
it, with the relay and a worker behind it and the bundled TMDb server in front of TMDb.

Its own AMQP namespace for the admin routes' tasks: a sync or a rebuild the tier asks
for is queued where no worker takes it (and the queues are deleted afterwards), so it
never loads the workers the other tests share. Logins and registrations are not rate
limited here (the tier logs in again whenever a fuzzed request ends its session, and the
client, generator and browser tests register people from the same address), and a
consistency token waits 0.2 s at most."""
from __future__ import annotations

import os
import shutil
import subprocess
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
import requests
from kombu import Connection
from sqlalchemy import text

from domain.accounts import commands
from movienexus.devtools.processes import VENV_BIN
from tests.conftest import pipeline_env
from tests.support.fixtures_tmdb import tmdb_server  # noqa: F401
from tests.support.stack import Process, free_port, wait_http
from tests.support.util import eventually, unique_email
from adapters.messaging.topology import events_exchange, queues, tasks_exchange

PASSWORD = "Contract-2026!"
# The tier logs in and registers from one address far more often than a person does.
UNLIMITED = {"LOGIN_RATE_LIMIT": "100000 per minute", "LOGIN_IP_RATE_LIMIT": "100000 per minute",
             "REGISTER_RATE_LIMIT": "100000 per hour"}
API = "/api/v1"


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's chromium (scripts/test.sh installs it when it is missing)."""
    path = shutil.which("chromium")
    if path is None:
        pytest.fail("Debian's chromium is not installed: `make test` installs it "
                    "(scripts/test.sh), or run `apt-get install -y chromium`.")
    return path


@pytest.fixture(scope="session")
def contract_namespace(settings) -> str:
    return f"{settings.amqp_namespace}_contract"


@pytest.fixture(scope="session")
def contract_api(settings, smtp, pipeline, tmdb_server, contract_namespace,  # noqa: F811
                 tmp_path_factory):
    try:
        with served_api(settings, smtp, tmdb_server, tmp_path_factory,
                        AMQP_NAMESPACE=contract_namespace, CONSISTENCY_WAIT_SECONDS="0.2",
                        **UNLIMITED) as url:
            yield url
    finally:
        _delete_namespace(settings.broker_url, contract_namespace)


# The event stream's origin of each served API (the web app and the client read it).
EVENTS_URLS: dict[str, str] = {}


@contextmanager
def served_api(settings, smtp, tmdb_server, tmp_path_factory, **env):  # noqa: F811
    """gunicorn from the Procfile (2 workers) in front of the test pipeline's database,
    and the event stream's process beside it (EVENTS_URLS[url])."""
    port, events_port = free_port(), free_port()
    events_url = f"http://127.0.0.1:{events_port}"
    env = {**pipeline_env(settings, smtp.port), "API_PORT": str(port), "WEB_CONCURRENCY": "2",
           "PROMETHEUS_MULTIPROC_DIR": str(tmp_path_factory.mktemp("prometheus")),
           "TMDB_BASE_URL": tmdb_server.base_url, "EVENTS_PORT": str(events_port),
           "EVENTS_PUBLIC_URL": events_url, **env}
    logs = tmp_path_factory.mktemp("api-logs")
    api = Process("api", env, logs).start()
    events = Process("events", env, logs).start()
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{url}/healthz", api)
        wait_http(f"{events_url}/healthz", events)
        EVENTS_URLS[url] = events_url
        yield url
    finally:
        events.stop()
        api.stop()


def _delete_namespace(broker_url: str, namespace: str) -> None:
    with Connection(broker_url, connect_timeout=5) as connection:
        channel = connection.default_channel
        for queue in queues(namespace):
            channel.queue_delete(queue.name)
        for exchange in (events_exchange(namespace).name, tasks_exchange(namespace).name,
                         f"{namespace}.celeryev"):  # task-sent events of the API's Celery app
            channel.exchange_delete(exchange)


@dataclass(frozen=True)
class ContractUser:
    email: str
    password: str


@pytest.fixture(scope="session")
def contract_user(contract_api, container) -> ContractUser:
    """A verified admin, so the admin routes answer more than 403."""
    email = unique_email("contract")
    response = requests.post(f"{contract_api}{API}/auth/register", timeout=10,
                             json={"email": email, "password": PASSWORD})
    assert response.status_code == 201, response.text
    user_id = response.json()["id"]
    container.handle(commands.VerifyEmail(user_id=user_id, email=email))
    with container.engine.begin() as conn:
        conn.execute(text("UPDATE users SET role = 'admin' WHERE id = :id"), {"id": user_id})
    return ContractUser(email, PASSWORD)


@dataclass(frozen=True)
class Catalog:
    movie_ids: list[int]
    genre_ids: list[int]


@pytest.fixture(scope="session")
def contract_catalog(contract_api, settings, tmdb_server) -> Catalog:  # noqa: F811
    """Genres and one page of each TMDb list from the bundled TMDb server, so the tier
    reads real cards and details (not only 404s) and the web app shows every list."""
    env = {**os.environ, "TMDB_BASE_URL": tmdb_server.base_url}
    for kind, *extra in (("genres",), ("popular", "--pages", "1"), ("top_rated", "--pages", "1"),
                         ("now_playing", "--pages", "1"), ("upcoming", "--pages", "1"),
                         ("trending", "--pages", "1")):
        done = subprocess.run([str(VENV_BIN / "movienexus"), "sync", kind, *extra], env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr

    def ids(path: str, key: str) -> list[int]:
        body = requests.get(f"{contract_api}{API}{path}", timeout=10).json()
        return [item[key] for item in (body["items"] if "items" in body else body)]

    return Catalog(eventually(lambda: ids("/movies/popular?page_size=10", "tmdb_id"), 30),
                   eventually(lambda: ids("/genres", "id"), 30))
