"""The TypeScript client (clients/typescript) against the live stack, run by Node's own
test runner (clients/typescript/test): gunicorn with 3-second access tokens, so the
journey meets real expiries and the parallel calls one shared refresh."""
from __future__ import annotations

import os
import subprocess

import pytest

from tests.contract.conftest import EVENTS_URLS, UNLIMITED, served_api
from tests.support.frontend import REPO, node_summary

NODE_TESTS = 7


@pytest.fixture(scope="module")
def short_token_api(settings, smtp, pipeline, tmdb_server, tmp_path_factory):
    with served_api(settings, smtp, tmdb_server, tmp_path_factory,
                    ACCESS_TOKEN_MINUTES="0.05", WEB_CONCURRENCY="1", **UNLIMITED) as url:
        yield url


def test_the_client_passes_its_node_tests_against_the_stack(short_token_api,
                                                            contract_catalog):
    run = subprocess.run(["npm", "test", "--workspace", "clients/typescript"], cwd=REPO,
                         env={**os.environ, "MOVIENEXUS_API_URL": short_token_api,
                              "MOVIENEXUS_EVENTS_URL": EVENTS_URLS[short_token_api]},
                         capture_output=True, text=True, timeout=300)
    print(run.stdout[-6000:])
    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-5000:]
    assert node_summary(run.stdout) == {"tests": NODE_TESTS, "pass": NODE_TESTS, "fail": 0,
                                        "skipped": 0}, run.stdout[-3000:]
