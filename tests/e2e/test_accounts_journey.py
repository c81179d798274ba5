"""A person's whole account journey over HTTP, as the frontend would make it."""
import requests

from tests.support.smtp import Inbox
from tests.support.util import unique_email

PASSWORD = "Popcorn-2026!"


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_register_verify_login_profile_refresh_logout(api_url, smtp):
    api = f"{api_url}/api/v1"
    email = unique_email("journey")

    registered = requests.post(f"{api}/auth/register", json={
        "email": email.upper(), "password": PASSWORD, "first_name": "Ada"}, timeout=10)
    assert registered.status_code == 201, registered.text
    assert registered.json()["email"] == email and not registered.json()["email_verified"]

    mail = smtp.wait_for(email, "Confirm your Movie Nexus email")
    verified = requests.post(f"{api}/auth/verify-email",
                             json={"token": Inbox.token_in(mail)}, timeout=10)
    assert verified.status_code == 200 and verified.json() == {"email_verified": True}

    login = requests.post(f"{api}/auth/login", json={"email": email, "password": PASSWORD},
                          headers={"User-Agent": "journey-test"}, timeout=10)
    assert login.status_code == 200, login.text
    tokens = login.json()
    assert tokens["token_type"] == "Bearer" and tokens["user"]["email_verified"] is True

    me = requests.get(f"{api}/me", headers={
        **bearer(tokens["access_token"]),
        "X-Consistency-Token": verified.headers["X-Consistency-Token"]}, timeout=10)
    assert me.status_code == 200 and me.json()["email_verified"] is True

    patched = requests.patch(f"{api}/me", headers=bearer(tokens["access_token"]), json={
        "last_name": "Lovelace", "profile": {"bio": "Analyst", "timezone": "Europe/London"}},
        timeout=10)
    assert patched.status_code == 200 and patched.json()["last_name"] == "Lovelace"
    token = patched.headers["X-Consistency-Token"]
    fresh = requests.get(f"{api}/me", headers={**bearer(tokens["access_token"]),
                                               "X-Consistency-Token": token}, timeout=10)
    assert fresh.headers["X-Consistency"] == "fresh"
    assert fresh.json()["last_name"] == "Lovelace"
    assert fresh.json()["profile"]["timezone"] == "Europe/London"

    refreshed = requests.post(f"{api}/auth/refresh",
                              json={"refresh_token": tokens["refresh_token"]}, timeout=10)
    assert refreshed.status_code == 200
    new = refreshed.json()
    assert requests.get(f"{api}/me", headers=bearer(new["access_token"]),
                        timeout=10).status_code == 200

    reused = requests.post(f"{api}/auth/refresh", headers=bearer(tokens["refresh_token"]),
                           timeout=10)
    assert reused.status_code == 401 and "already used" in reused.json()["message"]
    assert requests.get(f"{api}/me", headers=bearer(new["access_token"]),
                        timeout=10).status_code == 401, "reuse must revoke the session"

    second = requests.post(f"{api}/auth/login", json={"email": email, "password": PASSWORD},
                           timeout=10).json()
    out = requests.post(f"{api}/auth/logout", headers=bearer(second["access_token"]),
                        timeout=10)
    assert out.status_code == 204
    refused = requests.get(f"{api}/me", headers=bearer(second["access_token"]), timeout=10)
    assert refused.status_code == 401 and refused.json()["code"] == 401
    assert requests.post(f"{api}/auth/refresh", json={"refresh_token": second["refresh_token"]},
                         timeout=10).status_code == 401


def test_ops_endpoints_answer(api_url):
    assert requests.get(f"{api_url}/healthz", timeout=5).json() == {"status": "ok"}
    ready = requests.get(f"{api_url}/readyz", timeout=10)
    assert ready.status_code == 200 and set(ready.json()["checks"].values()) == {"ok"}
    metrics = requests.get(f"{api_url}/metrics", timeout=10).text
    for name in ("outbox_backlog_events", "projection_lag_events", "dead_letters_pending",
                 "http_request_duration_seconds"):
        assert name in metrics
    spec = requests.get(f"{api_url}/api/v1/openapi.json", timeout=5).json()
    assert "/api/v1/auth/login" in spec["paths"] and "/api/v1/me" in spec["paths"]
