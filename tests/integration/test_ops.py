"""Operations: readiness names what is down, reads survive Redis going away, and the
commands say clearly which service is missing or which setting is wrong."""
import os
import subprocess
import sys
from dataclasses import replace

import pytest

from adapters.revocations import REVOKED, session_key
from api import create_app
from movienexus.bootstrap import Container
from movienexus.config import DEV_EMAIL_TOKEN_SECRET, DEV_JWT_SECRET, KNOWN_DEFAULT_SECRETS
from read_models.queries.consistency import ConsistencyToken, wait_until_applied
from tests.support.accounts import PASSWORD, envelopes_of
from tests.support.env import ROOT
from tests.support.util import eventually, unique_email
from adapters.outages import is_outage

CLOSED_REDIS = "redis://127.0.0.1:1/0"


def movienexus(*args: str, **env: str) -> subprocess.CompletedProcess:
    path = f"{os.path.dirname(sys.executable)}:{os.environ['PATH']}"
    return subprocess.run(["movienexus", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PATH": path, **env}, timeout=60)


def test_readyz_names_the_dependency_that_is_down(settings):
    app = create_app(container=Container(replace(settings, redis_url=CLOSED_REDIS)))
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["checks"]["postgres"] == "ok" and body["checks"]["rabbitmq"] == "ok"
    assert body["checks"]["redis"] == "unavailable" and "redis" in body["message"]
    # The component only: no exception text, host or port.
    text = response.get_data(as_text=True)
    assert "Error" not in text and "127.0.0.1" not in text and ":1" not in text


def test_me_is_served_from_postgres_when_redis_is_down(settings, client, pipeline):
    email = unique_email("fallback")
    client.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD})
    tokens = client.post("/api/v1/auth/login",
                         json={"email": email, "password": PASSWORD}).get_json()
    auth = {"Authorization": f"Bearer {tokens['access_token']}"}
    eventually(lambda: client.get("/api/v1/me", headers=auth).status_code == 200)

    without_redis = create_app(container=Container(replace(settings, redis_url=CLOSED_REDIS)))
    response = without_redis.test_client().get("/api/v1/me", headers=auth)
    assert response.status_code == 200 and response.get_json()["email"] == email

    client.post("/api/v1/auth/logout", headers=auth)       # revoked: refused without Redis too
    assert without_redis.test_client().get("/api/v1/me", headers=auth).status_code == 401


def test_a_revocation_missed_by_redis_is_restored_by_the_projection(container, client,
                                                                   pipeline, settings):
    """Redis was away at logout: the API's write failed, and so does the projection's
    while Redis is away (a transient error: the worker retries the delivery); once
    Redis answers, the retried SessionRevoked event writes the revocation."""
    email = unique_email("restore")
    client.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD})
    tokens = client.post("/api/v1/auth/login",
                         json={"email": email, "password": PASSWORD}).get_json()
    auth = {"Authorization": f"Bearer {tokens['access_token']}"}
    logout = client.post("/api/v1/auth/logout", headers=auth)
    token = ConsistencyToken.parse(logout.headers["X-Consistency-Token"])
    assert wait_until_applied(container.documents, token, timeout=20)
    key = session_key(token.aggregate_id)
    container.redis.delete(key)
    revoked = envelopes_of(container, token.aggregate_id)[-1]
    assert revoked.event_type == "SessionRevoked"
    redis_down = Container(replace(settings, redis_url=CLOSED_REDIS))
    with pytest.raises(Exception) as down:
        redis_down.projection_runner.apply(revoked)
    assert is_outage(down.value), down.value
    assert not container.redis.exists(key)
    container.projection_runner.apply(revoked)     # the retry, Redis back
    assert container.redis.get(key) == REVOKED
    assert client.get("/api/v1/me", headers=auth).status_code == 401


def test_check_services_names_the_missing_one_and_how_to_start_it():
    result = movienexus("check-services", REDIS_URL=CLOSED_REDIS)
    assert result.returncode == 1
    assert "Redis is not answering on 127.0.0.1:1" in result.stdout
    assert "redis-server" in result.stdout and "docker compose up -d redis" in result.stdout


@pytest.mark.parametrize("secret", ["", "short"])
def test_production_refuses_to_start_without_a_real_secret(secret):
    result = movienexus("urls", APP_ENV="production", JWT_SECRET_KEY=secret)
    assert result.returncode == 2
    assert "JWT_SECRET_KEY" in result.stdout and "Traceback" not in result.stderr


REAL = {"JWT_SECRET_KEY": "jwt-" + "r" * 40, "EMAIL_TOKEN_SECRET": "mail-" + "s" * 40,
        "TMDB_API_KEY": "a-real-key", "BROKER_URL": "amqp://app:" + "p" * 24 + "@127.0.0.1//"}
# The CLI is started once per secret; tests/unit checks every known default on validate().
PUBLISHED = [DEV_JWT_SECRET, DEV_EMAIL_TOKEN_SECRET,
             "compose-dev-secret-change-me-0123456789abcdef",
             "change-me-jwt-secret-at-least-32-bytes-long",
             "change-me-email-token-secret-at-least-32-bytes"]
assert set(PUBLISHED) <= KNOWN_DEFAULT_SECRETS


@pytest.mark.parametrize("app_env", ["production", "staging", "Production"])
@pytest.mark.parametrize("name", ["JWT_SECRET_KEY", "EMAIL_TOKEN_SECRET"])
def test_start_up_refuses_each_known_default_secret_outside_development(app_env, name):
    assert movienexus("urls", APP_ENV=app_env, **REAL).returncode == 0   # the control
    for secret in PUBLISHED:
        result = movienexus("urls", APP_ENV=app_env, **{**REAL, name: secret})
        assert result.returncode == 2, (secret, result.stdout)
        assert name in result.stdout and "configuration error" in result.stdout
        assert "Traceback" not in result.stderr


@pytest.mark.parametrize("app_env", ["production", "Production"])
def test_start_up_refuses_the_bundled_tmdb_server_outside_development(app_env):
    result = movienexus("urls", APP_ENV=app_env, **{**REAL, "TMDB_API_KEY": ""})
    assert result.returncode == 2 and "bundled TMDb server" in result.stdout
