"""The API served by gunicorn from the Procfile, next to the pipeline's relay and worker."""
import pytest

from tests.conftest import pipeline_env
from tests.support.fixtures_tmdb import tmdb_server  # noqa: F401
from tests.support.stack import Process, free_port, wait_http


@pytest.fixture(scope="session")
def api_url(settings, smtp, pipeline, tmdb_server, tmp_path_factory):  # noqa: F811
    port = free_port()
    metrics_dir = tmp_path_factory.mktemp("prometheus")
    env = {**pipeline_env(settings, smtp.port), "API_PORT": str(port), "WEB_CONCURRENCY": "2",
           "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir), "TMDB_BASE_URL": tmdb_server.base_url}
    api = Process("api", env, tmp_path_factory.mktemp("api-logs")).start()
    url = f"http://127.0.0.1:{port}"
    wait_http(f"{url}/healthz", api)
    yield url
    api.stop()
