"""Rate limits answer 429 in the error shape, with Retry-After, and are keyed so that a
normal person is never blocked by someone else: login per email+IP, registration per
IP, the mail-sending endpoints per address.

Each test builds an app of its own with low limits (the real app, real Redis). Each test
also uses IPs and emails of its own, so its counters start at zero whatever ran before
(see test_each_app_gets_counters_of_its_own for why the namespace alone does not do it).
"""
from __future__ import annotations

import uuid
from dataclasses import replace
from http import HTTPStatus

import pytest

import requests

from api import create_app
from movienexus.bootstrap import Container
from tests.support.api_client import API, PASSWORD, random_ip
from tests.support.stack import Process, free_port, wait_http
from tests.support.util import unique_email

CLOSED_REDIS = "redis://127.0.0.1:1/0"

WRONG = "Wr0ng-password-here"




def low_limit_app(settings, **overrides):
    limits = {"login_rate_limit": "3 per minute", "register_rate_limit": "2 per minute",
              "email_rate_limit": "2 per minute", **overrides}
    return create_app(container=Container(replace(
        settings, **limits, amqp_namespace=f"rl-{uuid.uuid4().hex}")))


def client_from(app, ip: str | None = None):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ip or random_ip()
    return client


def assert_429(response, window_seconds: int = 60) -> dict:
    text = response.get_data(as_text=True)
    assert response.status_code == 429, f"{response.status_code}: {text[:400]}"
    assert response.mimetype == "application/json"
    assert "Traceback" not in text
    body = response.get_json()
    assert set(body) == {"code", "status", "message", "request_id"}, body
    assert body["code"] == 429 and body["status"] == HTTPStatus(429).phrase
    assert body["message"] and body["request_id"] == response.headers["X-Request-ID"]
    retry_after = response.headers.get("Retry-After")
    assert retry_after is not None and retry_after.isdigit(), dict(response.headers)
    assert 0 < int(retry_after) <= window_seconds
    return body


@pytest.fixture
def app(settings):
    """Shadows the session app: this module's tests each get a low-limit app."""
    return low_limit_app(settings)


def login(client, email: str, password: str = WRONG):
    return client.post(f"{API}/auth/login", json={"email": email, "password": password})


# --- login --------------------------------------------------------------------------------

def test_login_is_limited_per_email_and_ip(app):
    ip = random_ip()
    attacker = client_from(app, ip)
    victim = unique_email("victim")
    for _ in range(3):
        assert login(attacker, victim).status_code == 401
    assert_429(login(attacker, victim))
    assert_429(login(attacker, victim.upper()))        # the same email, spelled otherwise
    assert_429(login(attacker, f"  {victim} "))

    # Someone else behind the same IP (an office, a NAT) is not blocked ...
    neighbour = client_from(app, ip)
    response = login(neighbour, unique_email("neighbour"))
    assert response.status_code == 401, response.get_data(as_text=True)
    # ... and neither is the same email from another IP.
    assert login(client_from(app), victim).status_code == 401


def test_the_owner_logs_in_from_elsewhere_while_their_email_is_hammered(app):
    owner = client_from(app)
    email = unique_email("owner")
    assert owner.post(f"{API}/auth/register",
                      json={"email": email, "password": PASSWORD}).status_code == 201
    attacker = client_from(app)
    for _ in range(3):
        assert login(attacker, email).status_code == 401
    assert_429(login(attacker, email))
    assert_429(login(attacker, email, PASSWORD))  # blocked even with the right password
    response = login(owner, email, PASSWORD)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["access_token"]


def test_login_is_also_capped_per_ip_across_emails(settings):
    app = low_limit_app(settings, login_ip_rate_limit="4 per minute")
    client = client_from(app)
    for _ in range(4):
        assert login(client, unique_email("spray")).status_code == 401
    assert_429(login(client, unique_email("spray")))
    assert login(client_from(app), unique_email("spray")).status_code == 401


def test_successful_logins_count_too(app):
    """The limit counts attempts, not failures: a fourth login in a minute is 429."""
    client = client_from(app)
    email = unique_email("often")
    assert client.post(f"{API}/auth/register",
                       json={"email": email, "password": PASSWORD}).status_code == 201
    for _ in range(3):
        assert login(client, email, PASSWORD).status_code == 200
    assert_429(login(client, email, PASSWORD))


# --- register -----------------------------------------------------------------------------

def test_register_is_limited_per_ip(app):
    ip = random_ip()
    client = client_from(app, ip)
    for _ in range(2):
        response = client.post(f"{API}/auth/register",
                               json={"email": unique_email("reg"), "password": PASSWORD})
        assert response.status_code == 201, response.get_data(as_text=True)
    email = unique_email("reg")
    assert_429(client.post(f"{API}/auth/register", json={"email": email, "password": PASSWORD}))
    # Bad requests from that IP are limited as well (the limit comes before the body).
    assert_429(client.post(f"{API}/auth/register", json={}))
    # The refused registration made no account: from another IP it goes through.
    other = client_from(app)
    response = other.post(f"{API}/auth/register", json={"email": email, "password": PASSWORD})
    assert response.status_code == 201, response.get_data(as_text=True)


# --- mail-sending endpoints ---------------------------------------------------------------

MAIL_PATHS = ["/auth/resend-verification", "/auth/password/reset"]


@pytest.mark.parametrize("path", MAIL_PATHS)
def test_mail_endpoints_are_limited_per_email_and_ip(app, path):
    email = unique_email("mail")
    client = client_from(app)
    for _ in range(2):
        response = client.post(f"{API}{path}", json={"email": email})
        assert response.status_code == 202, response.get_data(as_text=True)
    assert_429(client.post(f"{API}{path}", json={"email": email}))
    assert_429(client.post(f"{API}{path}", json={"email": f" {email.upper()}"}))
    # One IP cannot use up the address's quota: its owner, elsewhere, still gets mail ...
    response = client_from(app).post(f"{API}{path}", json={"email": email})
    assert response.status_code == 202, response.get_data(as_text=True)
    # ... and the same IP asking for another address is served.
    response = client.post(f"{API}{path}", json={"email": unique_email("mail")})
    assert response.status_code == 202, response.get_data(as_text=True)


@pytest.mark.parametrize("path", MAIL_PATHS)
def test_mail_endpoints_are_limited_per_address_from_anywhere(settings, path):
    """Many IPs cannot mail one address without bound."""
    app = low_limit_app(settings, email_address_rate_limit="3 per minute")
    email = unique_email("bombed")
    for _ in range(3):
        assert client_from(app).post(f"{API}{path}", json={"email": email}).status_code == 202
    assert_429(client_from(app).post(f"{API}{path}", json={"email": email}))


@pytest.mark.parametrize("path", MAIL_PATHS)
def test_mail_endpoints_are_limited_per_ip_across_addresses(settings, path):
    """One IP cannot mail every registered address."""
    app = low_limit_app(settings, email_ip_rate_limit="3 per minute")
    client = client_from(app)
    for _ in range(3):
        response = client.post(f"{API}{path}", json={"email": unique_email("many")})
        assert response.status_code == 202
    assert_429(client.post(f"{API}{path}", json={"email": unique_email("many")}))
    assert client_from(app).post(f"{API}{path}",
                                 json={"email": unique_email("many")}).status_code == 202


# --- password change ----------------------------------------------------------------------

def _logged_in(app, client):
    email = unique_email("change")
    assert client.post(f"{API}/auth/register",
                       json={"email": email, "password": PASSWORD}).status_code == 201
    body = client.post(f"{API}/auth/login", json={"email": email, "password": PASSWORD})
    return {"Authorization": f"Bearer {body.get_json()['access_token']}"}


def test_password_change_is_limited_per_user_whatever_the_ip(settings):
    """A stolen access token cannot guess the current password at argon2 speed."""
    app = low_limit_app(settings, password_change_rate_limit="3 per minute")
    headers = _logged_in(app, client_from(app))
    guess = {"current_password": WRONG, "new_password": "N3w-staple-battery-horse"}
    for _ in range(3):
        response = client_from(app).post(f"{API}/auth/password/change", headers=headers,
                                         json=guess)
        assert response.status_code == 400, response.get_data(as_text=True)
    assert_429(client_from(app).post(f"{API}/auth/password/change", headers=headers,
                                     json=guess))
    # Another user is not affected.
    other = _logged_in(app, client_from(app))
    response = client_from(app).post(f"{API}/auth/password/change", headers=other, json=guess)
    assert response.status_code == 400


def test_password_change_is_limited_per_ip(settings):
    app = low_limit_app(settings, password_change_rate_limit="3 per minute")
    client = client_from(app)
    for _ in range(3):
        assert client.post(f"{API}/auth/password/change", json={}).status_code == 401
    assert_429(client.post(f"{API}/auth/password/change", json={}))


# --- behind proxies -----------------------------------------------------------------------

def test_trusted_proxies_decide_the_client_address(settings):
    """Behind TRUSTED_PROXY_COUNT proxies each client has a bucket of its own; without
    it, X-Forwarded-For is ignored (anyone can send it)."""
    behind = low_limit_app(settings, trusted_proxy_count=1)
    direct = low_limit_app(settings)
    proxy = random_ip()
    for app, separate in ((behind, True), (direct, False)):
        email = unique_email("proxied")
        first = {"X-Forwarded-For": random_ip()}
        for _ in range(3):
            assert client_from(app, proxy).post(f"{API}/auth/login", headers=first, json={
                "email": email, "password": WRONG}).status_code == 401
        second = client_from(app, proxy).post(
            f"{API}/auth/login", headers={"X-Forwarded-For": random_ip()},
            json={"email": email, "password": WRONG})
        assert second.status_code == (401 if separate else 429), (separate, second.status_code)


# --- Redis down ---------------------------------------------------------------------------

def test_login_is_still_limited_when_redis_is_down(settings, tmp_path):
    """The API from the Procfile, one worker, Redis on a closed port: the limits count
    in the process (flask-limiter's in-memory fallback) instead of switching off."""
    port = free_port()
    env = {"DATABASE_URL": settings.database_url, "REDIS_URL": CLOSED_REDIS,
           "API_PORT": str(port), "WEB_CONCURRENCY": "1", "LOGIN_RATE_LIMIT": "10 per minute",
           "AMQP_NAMESPACE": f"rl-{uuid.uuid4().hex}"}
    api = Process("api", env, tmp_path).start()
    try:
        url = f"http://127.0.0.1:{port}"
        wait_http(f"{url}/healthz", api)
        email = unique_email("redis-down")
        answers = [requests.post(f"{url}{API}/auth/login", timeout=30,
                                 json={"email": email, "password": WRONG}).status_code
                   for _ in range(11)]
    finally:
        api.stop()
    assert answers == [401] * 10 + [429], answers


def test_resend_and_reset_count_separately(app):
    email = unique_email("both")
    client = client_from(app)
    for _ in range(2):
        assert client.post(f"{API}/auth/resend-verification",
                           json={"email": email}).status_code == 202
    assert_429(client.post(f"{API}/auth/resend-verification", json={"email": email}))
    for _ in range(2):
        assert client.post(f"{API}/auth/password/reset", json={"email": email}).status_code == 202
    assert_429(client.post(f"{API}/auth/password/reset", json={"email": email}))


def test_a_429_looks_the_same_for_known_and_unknown_addresses(app):
    """Rate limiting must not tell which addresses have accounts."""
    known = unique_email("known")
    client = client_from(app)
    assert client.post(f"{API}/auth/register",
                       json={"email": known, "password": PASSWORD}).status_code == 201
    answers = {}
    for email in (known, unique_email("unknown")):
        for _ in range(2):
            assert client.post(f"{API}/auth/password/reset",
                               json={"email": email}).status_code == 202
        response = client.post(f"{API}/auth/password/reset", json={"email": email})
        body = assert_429(response)
        answers[email] = {k: v for k, v in body.items() if k != "request_id"}
    first, second = answers.values()
    assert first == second


# --- where the counters live --------------------------------------------------------------

def test_each_app_gets_counters_of_its_own(settings):
    """flask-limiter keeps one key prefix per process, so the keys themselves carry the
    deployment's namespace: two apps (two deployments on one Redis) never share counts."""
    first, second = low_limit_app(settings), low_limit_app(settings)
    ip, email = random_ip(), unique_email("shared")
    for _ in range(3):
        assert login(client_from(first, ip), email).status_code == 401
    assert_429(login(client_from(first, ip), email))
    response = login(client_from(second, ip), email)
    assert response.status_code == 401, (
        f"app with namespace B answered {response.status_code}: it shares A's counters")
