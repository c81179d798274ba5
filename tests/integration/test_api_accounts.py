"""Accounts end to end through the Flask test client of the real app, with the relay and
a Celery worker running (the `pipeline` fixture), so the read models behind GET /me and
GET /auth/sessions are projected for real and the emails really go out over SMTP (to
the in-test inbox, `smtp`).

Every test makes its own accounts (unique emails) and speaks from its own client IP."""
from __future__ import annotations

import re
import threading
import uuid
from dataclasses import dataclass
from http import HTTPStatus

import jwt as pyjwt
import pytest
from prometheus_client import REGISTRY

from tests.support.smtp import Inbox
from tests.support.api_client import (API, NEW_PASSWORD, PASSWORD, Tokens, bearer,
                                      login_response, new_client, register)
from tests.support.util import eventually, unique_email

CONSISTENCY = "X-Consistency-Token"
VERIFY_SUBJECT = "Confirm your Movie Nexus email"
RESET_SUBJECT = "Reset your Movie Nexus password"
TOKEN_PATTERN = r"^\d+\.{kind}\.{id}\.{version}$"


pytestmark = pytest.mark.usefixtures("pipeline")


# --- helpers ----------------------------------------------------------------------------







def assert_error(response, status: int, *fields: str) -> dict:
    text = response.get_data(as_text=True)
    assert response.status_code == status, f"{response.status_code}: {text[:500]}"
    assert response.mimetype == "application/json"
    assert "Traceback" not in text
    body = response.get_json()
    assert body["code"] == status and body["status"] == HTTPStatus(status).phrase
    assert body["message"] and body["request_id"] == response.headers["X-Request-ID"]
    for field in fields:
        assert body["errors"][field], body
    return body


def without_request_id(body: dict) -> dict:
    return {k: v for k, v in body.items() if k != "request_id"}


@dataclass
class Login(Tokens):
    consistency: str = ""
    user: dict | None = None


def login(client, email: str, password: str = PASSWORD) -> Login:
    response = login_response(client, email, password)
    body = response.get_json()
    return Login(body["access_token"], body["refresh_token"], response.headers[CONSISTENCY],
                 body["user"])


def refresh(client, refresh_token: str):
    return client.post(f"{API}/auth/refresh", json={"refresh_token": refresh_token})


def refresh_as_bearer(client, refresh_token: str):
    """The older form, deprecated until its Sunset date."""
    return client.post(f"{API}/auth/refresh", headers=bearer(refresh_token))


def accepted(client, access: str) -> bool:
    """Whether an access token is accepted (a cheap authenticated read: 200 or 401)."""
    response = client.get(f"{API}/auth/sessions", headers=bearer(access))
    assert response.status_code in (200, 401), response.get_data(as_text=True)
    return response.status_code == 200


def me(client, access: str, token: str | None = None):
    headers = {**bearer(access), **({CONSISTENCY: token} if token else {})}
    response = client.get(f"{API}/me", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    if token:
        assert response.headers["X-Consistency"] == "fresh"
    return response.get_json()


def sessions(client, access: str, token: str | None = None) -> dict:
    headers = {**bearer(access), **({CONSISTENCY: token} if token else {})}
    response = client.get(f"{API}/auth/sessions", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    if token:
        assert response.headers["X-Consistency"] == "fresh"
    return response.get_json()


def mail_token(smtp: Inbox, to: str, subject: str):
    return Inbox.token_in(smtp.wait_for(to, subject))


@pytest.fixture
def client(app):
    return new_client(app)


# --- register -----------------------------------------------------------------------------

def test_register_answers_201_with_the_user_and_a_consistency_token(client):
    local = f"Mixed.Case-{uuid.uuid4().hex[:10]}"
    response = client.post(f"{API}/auth/register", json={
        "email": f"  {local}@Example.COM ", "password": PASSWORD,
        "first_name": "Grace", "last_name": "Hopper"})
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    user = response.get_json()
    assert {"id", "email", "first_name", "last_name", "email_verified"} <= set(user)
    assert user["email"] == f"{local.lower()}@example.com"
    assert (user["first_name"], user["last_name"]) == ("Grace", "Hopper")
    assert user["email_verified"] is False and user["role"] == "user"
    assert str(uuid.UUID(user["id"])) == user["id"]
    assert "password" not in response.get_data(as_text=True).lower()
    token = response.headers[CONSISTENCY]
    assert re.match(TOKEN_PATTERN.format(kind="user", id=user["id"], version=1), token), token

    # The account can log in before verifying, and /me (read with the token) has it.
    session = login(client, user["email"])
    assert session.user == user
    profile = me(client, session.access, token)
    assert {k: profile[k] for k in user} == user
    assert profile["profile"] == {"bio": "", "location": "", "timezone": "",
                                  "preferred_language": "", "favorite_genres": [],
                                  "privacy": "private"}


@pytest.mark.parametrize("variant", [
    lambda e: e.upper(), lambda e: f"  {e}  ", lambda e: e.capitalize(), lambda e: f"\t{e}\n",
], ids=["upper", "padded", "capitalised", "tab-newline"])
def test_a_duplicate_email_in_any_case_or_padding_is_409(client, variant):
    email = unique_email("dup")
    first = register(client, email)
    response = client.post(f"{API}/auth/register",
                           json={"email": variant(email), "password": "Some-0ther-password"})
    body = assert_error(response, 409)
    assert "errors" not in body and "already exists" in body["message"]
    # The one account is untouched: its own password still logs in, the other does not,
    # and the variant spelling reaches the same account.
    assert login(client, variant(email)).user["id"] == first["id"]
    response = client.post(f"{API}/auth/login",
                           json={"email": email, "password": "Some-0ther-password"})
    assert_error(response, 401)


def test_concurrent_registrations_of_one_email_make_one_account(app):
    email = unique_email("race")
    results: list[int] = []
    barrier = threading.Barrier(6)

    def attempt(spelling: str) -> None:
        c = new_client(app)
        barrier.wait()
        response = c.post(f"{API}/auth/register", json={"email": spelling, "password": PASSWORD})
        results.append(response.status_code)
        if response.status_code != 201:
            assert_error(response, 409)

    threads = [threading.Thread(target=attempt, args=(s,)) for s in
               (email, email.upper(), f" {email}", email, email.upper(), f"{email} ")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == [201, 409, 409, 409, 409, 409], results


# --- login --------------------------------------------------------------------------------

def test_wrong_password_and_unknown_email_get_the_same_401(client):
    email = unique_email("who")
    register(client, email)
    wrong = client.post(f"{API}/auth/login", json={"email": email, "password": "Wr0ng-passw0rd"})
    unknown = client.post(f"{API}/auth/login",
                          json={"email": unique_email("nobody"), "password": "Wr0ng-passw0rd"})
    assert_error(wrong, 401)
    assert_error(unknown, 401)
    assert without_request_id(wrong.get_json()) == without_request_id(unknown.get_json())
    assert wrong.get_json()["request_id"] != unknown.get_json()["request_id"]
    assert CONSISTENCY not in wrong.headers and CONSISTENCY not in unknown.headers


def test_login_answers_the_documented_pair(client):
    user = register(client)
    response = client.post(f"{API}/auth/login",
                           json={"email": f" {user['email'].upper()} ", "password": PASSWORD})
    assert response.status_code == 200
    body = response.get_json()
    assert body["token_type"] == "Bearer" and body["expires_in"] > 0
    assert body["access_token"] != body["refresh_token"]
    assert body["user"]["id"] == user["id"] and body["user"]["email_verified"] is False
    sid = pyjwt.decode(body["access_token"], options={"verify_signature": False})["sid"]
    assert re.match(TOKEN_PATTERN.format(kind="session", id=sid, version=1),
                    response.headers[CONSISTENCY])


# --- /me ----------------------------------------------------------------------------------

def test_get_me_with_the_patch_token_shows_the_change_fresh(client):
    user = register(client)
    session = login(client, user["email"])
    response = client.patch(f"{API}/me", headers=session.headers, json={
        "first_name": "Ada", "profile": {
            "bio": "Counts things.", "timezone": "Europe/London", "preferred_language": "en-GB",
            "favorite_genres": [878, 18], "privacy": "public"}})
    assert response.status_code == 200, response.get_data(as_text=True)
    state = response.get_json()
    assert state["first_name"] == "Ada" and state["profile"]["timezone"] == "Europe/London"
    token = response.headers[CONSISTENCY]
    assert re.match(TOKEN_PATTERN.format(kind="user", id=user["id"], version=r"\d+"), token)

    document = me(client, session.access, token)
    assert document["first_name"] == "Ada" and document["last_name"] == ""
    assert document["profile"] == {"bio": "Counts things.", "location": "",
                                   "timezone": "Europe/London", "preferred_language": "en-GB",
                                   "favorite_genres": [878, 18], "privacy": "public"}
    assert document == state

    # A second, partial PATCH merges into the profile.
    response = client.patch(f"{API}/me", headers=session.headers,
                            json={"last_name": "Lovelace", "profile": {"location": "London"}})
    assert response.status_code == 200
    document = me(client, session.access, response.headers[CONSISTENCY])
    assert (document["first_name"], document["last_name"]) == ("Ada", "Lovelace")
    assert document["profile"]["location"] == "London"
    assert document["profile"]["bio"] == "Counts things."
    assert document["profile"]["privacy"] == "public"


def test_me_is_only_ever_the_callers_own(client, app):
    alice = register(client, first_name="Alice")
    bob_client = new_client(app)
    bob = register(bob_client, first_name="Bob")
    alice_login = login(client, alice["email"])
    bob_login = login(bob_client, bob["email"])

    response = client.patch(f"{API}/me", headers=alice_login.headers,
                            json={"last_name": "Liddell", "profile": {"bio": "alice's"}})
    assert response.status_code == 200
    alice_token = response.headers[CONSISTENCY]
    assert response.get_json()["id"] == alice["id"]

    # Bob, even sending Alice's consistency token, reads only himself.
    bob_me = me(bob_client, bob_login.access, alice_token)
    assert bob_me["id"] == bob["id"] and bob_me["email"] == bob["email"]
    assert bob_me["first_name"] == "Bob" and bob_me["last_name"] == ""
    assert bob_me["profile"]["bio"] == ""
    # Bob's PATCH changes Bob only.
    response = bob_client.patch(f"{API}/me", headers=bob_login.headers,
                                json={"first_name": "Robert"})
    assert response.get_json()["id"] == bob["id"]
    bob_token = response.headers[CONSISTENCY]
    alice_me = me(client, alice_login.access, bob_token)
    assert alice_me["id"] == alice["id"] and alice_me["first_name"] == "Alice"
    assert alice_me["last_name"] == "Liddell" and alice_me["profile"]["bio"] == "alice's"
    assert me(bob_client, bob_login.access, bob_token)["first_name"] == "Robert"
    # Neither sees the other's sessions.
    sessions(client, alice_login.access, alice_login.consistency)
    bob_sessions = sessions(bob_client, bob_login.access, bob_login.consistency)
    assert [s["id"] for s in bob_sessions["items"]] == [bob_login.session_id]
    alice_sessions = sessions(client, alice_login.access, bob_login.consistency)
    assert [s["id"] for s in alice_sessions["items"]] == [alice_login.session_id]


# --- refresh, logout ----------------------------------------------------------------------

def test_the_refresh_token_in_the_body_is_the_documented_form(client):
    session = login(client, register(client)["email"])
    response = refresh(client, session.refresh)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "Deprecation" not in response.headers and "Sunset" not in response.headers
    assert set(response.get_json()) == {"access_token", "refresh_token", "token_type",
                                        "expires_in"}
    # An access token is not a refresh token; a body that is not an object is a 422.
    assert_error(refresh(client, response.get_json()["access_token"]), 401)
    assert_error(client.post(f"{API}/auth/refresh", json=["x" * 20]), 422)
    assert_error(client.post(f"{API}/auth/refresh", json={"refresh_token": 5}), 422,
                 "refresh_token")
    assert_error(client.post(f"{API}/auth/refresh", json={}), 401)


def test_the_older_bearer_form_works_and_says_it_is_deprecated(client):
    session = login(client, register(client)["email"])
    response = refresh_as_bearer(client, session.refresh)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Deprecation"] == "@1796342400"  # 2026-12-04T00:00:00Z
    assert response.headers["Sunset"] == "Wed, 30 Jun 2027 00:00:00 GMT"
    # The pair it answered rotates on: the next refresh (in the body) works, the spent
    # one (in either form) ends the session.
    assert refresh(client, response.get_json()["refresh_token"]).status_code == 200
    assert_error(refresh_as_bearer(client, session.refresh), 401)
    assert not accepted(client, session.access)


def test_refresh_rotates_and_a_reused_refresh_token_ends_the_session(client):
    user = register(client)
    first = login(client, user["email"])

    response = refresh(client, first.refresh)
    assert response.status_code == 200, response.get_data(as_text=True)
    second = response.get_json()
    assert second["token_type"] == "Bearer" and second["expires_in"] > 0
    assert second["refresh_token"] != first.refresh and second["access_token"] != first.access
    assert re.match(TOKEN_PATTERN.format(kind="session", id=first.session_id, version=2),
                    response.headers[CONSISTENCY])
    response = refresh(client, second["refresh_token"])
    assert response.status_code == 200
    third = response.get_json()

    # Every access token of the session still works, old ones included.
    assert accepted(client, first.access)
    assert accepted(client, second["access_token"])
    assert accepted(client, third["access_token"])

    # The first (spent) refresh token comes back: 401, and the session is over.
    reused = refresh(client, first.refresh)
    assert_error(reused, 401)
    assert "already used" in reused.get_json()["message"]
    assert not accepted(client, first.access)
    assert not accepted(client, third["access_token"])
    assert_error(refresh(client, third["refresh_token"]), 401)
    # Logging in again starts a new, working session.
    assert accepted(client, login(client, user["email"]).access)


def test_logout_ends_the_session_at_once(client):
    user = register(client)
    session = login(client, user["email"])
    other = login(client, user["email"])
    assert accepted(client, session.access)

    response = client.post(f"{API}/auth/logout", headers=session.headers)
    assert response.status_code == 204
    assert response.get_data() == b""
    assert not accepted(client, session.access)
    assert_error(client.get(f"{API}/me", headers=session.headers), 401)
    assert_error(refresh(client, session.refresh), 401)
    assert_error(client.post(f"{API}/auth/logout", headers=session.headers), 401)
    # Only that session: the other one of the same account goes on.
    assert accepted(client, other.access)
    sessions(client, other.access, other.consistency)
    listed = sessions(client, other.access, response.headers[CONSISTENCY])
    assert [s["id"] for s in listed["items"]] == [other.session_id]


# --- passwords ----------------------------------------------------------------------------

def test_password_change_revokes_the_other_sessions_only(client):
    user = register(client)
    mine = login(client, user["email"])
    other = login(client, user["email"])

    response = client.post(f"{API}/auth/password/change", headers=mine.headers,
                           json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert response.status_code == 204, response.get_data(as_text=True)
    assert not accepted(client, other.access)
    assert_error(refresh(client, other.refresh), 401)
    assert accepted(client, mine.access)
    assert refresh(client, mine.refresh).status_code == 200

    assert_error(client.post(f"{API}/auth/login",
                             json={"email": user["email"], "password": PASSWORD}), 401)
    login(client, user["email"], NEW_PASSWORD)


def test_password_reset_end_to_end(client, smtp):
    email = unique_email("reset")
    register(client, email)
    before = login(client, email)

    unknown = client.post(f"{API}/auth/password/reset", json={"email": unique_email("ghost")})
    known = client.post(f"{API}/auth/password/reset", json={"email": f" {email.upper()} "})
    assert unknown.status_code == known.status_code == 202
    assert unknown.get_json() == known.get_json()
    assert unknown.get_json()["message"]
    assert CONSISTENCY not in known.headers

    token = mail_token(smtp, email, RESET_SUBJECT)
    response = client.post(f"{API}/auth/password/reset/confirm",
                           json={"token": token, "new_password": NEW_PASSWORD})
    assert response.status_code == 204, response.get_data(as_text=True)
    assert_error(client.post(f"{API}/auth/login", json={"email": email, "password": PASSWORD}),
                 401)
    login(client, email, NEW_PASSWORD)
    # Every session from before the reset is over.
    assert not accepted(client, before.access)
    # The same token again: 400, and the password stays the new one.
    again = client.post(f"{API}/auth/password/reset/confirm",
                        json={"token": token, "new_password": "Yet-an0ther-password"})
    assert_error(again, 400, "token")
    login(client, email, NEW_PASSWORD)


# --- email verification -------------------------------------------------------------------

def test_email_verification_end_to_end(client, smtp):
    email = unique_email("verify")
    user = register(client, email)
    session = login(client, email)
    token = mail_token(smtp, email, VERIFY_SUBJECT)

    response = client.post(f"{API}/auth/verify-email", json={"token": token})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == {"email_verified": True}
    consistency = response.headers[CONSISTENCY]
    assert re.match(TOKEN_PATTERN.format(kind="user", id=user["id"], version=r"\d+"),
                    consistency)
    assert me(client, session.access, consistency)["email_verified"] is True
    assert login(client, email).user["email_verified"] is True

    assert_error(client.post(f"{API}/auth/verify-email", json={"token": token}), 400, "token")


def test_resend_verification_answers_alike_and_mails_only_the_known(client, smtp):
    email = unique_email("resend")
    register(client, email)
    first = mail_token(smtp, email, VERIFY_SUBJECT)
    ghost = unique_email("ghost")

    known = client.post(f"{API}/auth/resend-verification", json={"email": email.upper()})
    unknown = client.post(f"{API}/auth/resend-verification", json={"email": ghost})
    assert known.status_code == unknown.status_code == 202
    assert known.get_json() == unknown.get_json()

    eventually(lambda: smtp.count(email) == 2)
    assert smtp.count(ghost) == 0
    with smtp._lock:
        tokens = [Inbox.token_in(m) for m in smtp.messages if m["To"] == email]
    assert len(tokens) == 2
    # Either link verifies (the first one to be used wins; the other is then spent).
    response = client.post(f"{API}/auth/verify-email", json={"token": tokens[-1]})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert_error(client.post(f"{API}/auth/verify-email", json={"token": first}), 400, "token")

    # Once verified, the answer is still the same 202.
    after = client.post(f"{API}/auth/resend-verification", json={"email": email})
    assert after.status_code == 202 and after.get_json() == known.get_json()


# --- sessions -----------------------------------------------------------------------------

def test_sessions_list_marks_the_current_one_and_delete_removes_another(client):
    user = register(client)
    one = login(client, user["email"])
    two = login(client, user["email"])
    sessions(client, one.access, one.consistency)
    listed = sessions(client, one.access, two.consistency)

    assert listed["total"] == 2 and listed["page"] == 1 and listed["page_size"] == 20
    assert listed["total_pages"] == 1
    assert {s["id"] for s in listed["items"]} == {one.session_id, two.session_id}
    assert [s["id"] for s in listed["items"] if s["current"]] == [one.session_id]
    for item in listed["items"]:
        assert set(item) == {"id", "created_at", "last_seen_at", "ip", "user_agent", "current"}
        assert item["ip"] == client.environ_base["REMOTE_ADDR"]
    from_two = sessions(client, two.access)
    assert [s["id"] for s in from_two["items"] if s["current"]] == [two.session_id]

    response = client.delete(f"{API}/auth/sessions/{two.session_id}", headers=one.headers)
    assert response.status_code == 204, response.get_data(as_text=True)
    assert re.match(TOKEN_PATTERN.format(kind="session", id=two.session_id, version=2),
                    response.headers[CONSISTENCY])
    after = sessions(client, one.access, response.headers[CONSISTENCY])
    assert [s["id"] for s in after["items"]] == [one.session_id]
    assert after["total"] == 1 and after["items"][0]["current"] is True
    assert not accepted(client, two.access)
    assert_error(refresh(client, two.refresh), 401)
    assert accepted(client, one.access)


def test_sessions_paging(client):
    user = register(client)
    logins = [login(client, user["email"]) for _ in range(3)]
    for session in logins:
        sessions(client, logins[0].access, session.consistency)
    page1 = client.get(f"{API}/auth/sessions?page=1&page_size=2", headers=logins[0].headers)
    page2 = client.get(f"{API}/auth/sessions?page=2&page_size=2", headers=logins[0].headers)
    page3 = client.get(f"{API}/auth/sessions?page=3&page_size=2", headers=logins[0].headers)
    body1, body2, body3 = page1.get_json(), page2.get_json(), page3.get_json()
    assert (body1["total"], body1["total_pages"], len(body1["items"])) == (3, 2, 2)
    assert (body2["page"], len(body2["items"])) == (2, 1)
    assert body3["items"] == [] and body3["total"] == 3
    ids = [s["id"] for s in body1["items"] + body2["items"]]
    assert sorted(ids) == sorted(s.session_id for s in logins)


def test_deleting_a_session_of_another_user_is_404_and_harmless(client, app):
    owner_client = new_client(app)
    owner = register(owner_client)
    owners = login(owner_client, owner["email"])
    intruder = login(client, register(client)["email"])

    response = client.delete(f"{API}/auth/sessions/{owners.session_id}",
                             headers=intruder.headers)
    assert_error(response, 404)
    unknown = client.delete(f"{API}/auth/sessions/{uuid.uuid4()}", headers=intruder.headers)
    # Not yours and not there are the same answer.
    assert without_request_id(response.get_json()) == without_request_id(unknown.get_json())

    assert accepted(owner_client, owners.access)
    assert refresh(owner_client, owners.refresh).status_code == 200
    listed = sessions(owner_client, owners.access, owners.consistency)
    assert [s["id"] for s in listed["items"]] == [owners.session_id]


def test_deleting_the_current_session_logs_it_out(client):
    user = register(client)
    session = login(client, user["email"])
    response = client.delete(f"{API}/auth/sessions/{session.session_id}",
                             headers=session.headers)
    assert response.status_code == 204, response.get_data(as_text=True)
    assert not accepted(client, session.access)
    assert_error(refresh(client, session.refresh), 401)


def test_concurrent_refreshes_of_one_token_never_fork_the_session(client, app):
    """Two tabs refreshing with one token at once, 20 times over: the session row is
    locked, so every time exactly one gets a new pair and the other is reuse (401,
    "already used"): the session is revoked, the winner's pair stops working too.
    Never two valid pairs, never a 409 that lets reuse go unnoticed."""
    user = register(client)
    for attempt in range(20):
        session = login(new_client(app), user["email"])  # 20 logins: from 20 IPs
        results: list = []
        barrier = threading.Barrier(2)

        def refresh_at_once() -> None:
            c = new_client(app)
            barrier.wait()
            results.append(refresh(c, session.refresh))

        threads = [threading.Thread(target=refresh_at_once) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        codes = sorted(r.status_code for r in results)
        assert codes == [200, 401], (attempt, codes,
                                     [r.get_data(as_text=True)[:200] for r in results])
        loser = next(r for r in results if r.status_code == 401)
        assert "already used" in assert_error(loser, 401)["message"]
        winner = next(r for r in results if r.status_code == 200).get_json()
        assert not accepted(client, winner["access_token"])
        assert not accepted(client, session.access)
        assert_error(refresh(client, winner["refresh_token"]), 401)


def test_a_consistency_token_that_never_applies_answers_stale_after_a_bounded_wait(
        isolated):
    """A real token of someone else's write that the read models never show (its
    applied marker was lost): the read waits, bounded, then answers stale. (A person's
    own writes never come to this: their read projects them itself.) On a database no
    worker or sweeper serves: the sweeper would restore the marker within the wait."""
    from api import create_app
    container = isolated
    client = new_client(create_app(container=isolated))
    other = register(client)
    other_session = login(client, other["email"])
    response = client.patch(f"{API}/me", headers=other_session.headers,
                            json={"last_name": "Z"})
    token = response.headers[CONSISTENCY]
    user = register(client)
    session = login(client, user["email"])
    me(client, session.access)
    container.redis.set(f"applied:user:{other['id']}", 0)
    waits = REGISTRY.get_sample_value("consistency_waits_total") or 0
    response = client.get(f"{API}/me", headers={**session.headers, CONSISTENCY: token})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["X-Consistency"] == "stale"
    assert response.get_json()["id"] == user["id"]
    assert REGISTRY.get_sample_value("consistency_waits_total") == waits + 1
