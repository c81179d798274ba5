"""Helpers for tests that drive the API through the Flask test client."""
from __future__ import annotations

import uuid
from dataclasses import dataclass

import jwt as pyjwt

from tests.support.util import unique_email

API = "/api/v1"
PASSWORD = "Corr3ct-horse-battery"
NEW_PASSWORD = "N3w-staple-battery-horse"


def random_ip() -> str:
    """A client address of its own, so rate-limit counters never overlap across tests."""
    n = uuid.uuid4().int
    return f"10.{n % 250 + 1}.{(n >> 8) % 250 + 1}.{(n >> 16) % 250 + 1}"


def new_client(app):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = random_ip()
    return client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def register(client, email: str | None = None, password: str = PASSWORD, **names) -> dict:
    email = email or unique_email("acct")
    response = client.post(f"{API}/auth/register",
                           json={"email": email, "password": password, **names})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def login_response(client, email: str, password: str = PASSWORD):
    response = client.post(f"{API}/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


@dataclass
class Tokens:
    access: str
    refresh: str

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.access)

    @property
    def session_id(self) -> str:
        return pyjwt.decode(self.access, options={"verify_signature": False})["sid"]


def set_standing(app, user_id: str, role: str = "user", verified: bool = False) -> None:
    """What an operator does to make an admin (no API promotes anyone): the users row."""
    from sqlalchemy import text
    engine = app.extensions["movienexus"].engine
    with engine.begin() as conn:
        conn.execute(text("UPDATE users SET role = :role, email_verified = :verified "
                          "WHERE id = :id"), {"role": role, "verified": verified, "id": user_id})


def account_headers(app, role: str = "user", verified: bool = True) -> dict[str, str]:
    """A real account with this stored role, logged in: its Authorization header."""
    client = new_client(app)
    user = register(client)
    set_standing(app, user["id"], role, verified)
    return bearer(login_response(client, user["email"]).get_json()["access_token"])
