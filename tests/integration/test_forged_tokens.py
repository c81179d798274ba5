"""Tokens signed with the right key but naming what does not hold: each is refused.

An attacker who knows the signing key (the development default, say) can make any
claims; a token is still only good for a live session of an existing user with that
user's current password, and admin routes read the role and the verification from
the users table. Real app, real PostgreSQL and Redis; no pipeline needed."""
from __future__ import annotations

import uuid

import pytest
from flask_jwt_extended import create_access_token, create_refresh_token
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import text

from adapters.email_tokens import RESET, VERIFY
from adapters.revocations import session_key, user_key
from tests.support.api_client import (API, NEW_PASSWORD, PASSWORD, Tokens, bearer,
                                      login_response, new_client, register, set_standing)

ADMIN_ROUTE = f"{API}/admin/dead-letters"
USER_ROUTE = f"{API}/auth/sessions"


def sign(app, user_id: str, session_id: str, role: str = "user", refresh: bool = False):
    with app.app_context():
        if refresh:
            return create_refresh_token(identity=user_id, additional_claims={
                "sid": session_id, "jti": str(uuid.uuid4())})
        return create_access_token(identity=user_id,
                                   additional_claims={"sid": session_id, "role": role})


def logged_in(app, role: str = "user", verified: bool = False):
    client = new_client(app)
    user = register(client)
    set_standing(app, user["id"], role, verified)
    body = login_response(client, user["email"]).get_json()
    return client, user, Tokens(body["access_token"], body["refresh_token"])


def delete_user(app, user_id: str) -> None:
    with app.extensions["movienexus"].engine.begin() as conn:
        conn.execute(text("DELETE FROM users WHERE id = :id"), {"id": user_id})


def assert_refused(response, status: int) -> None:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    body = response.get_json()
    assert body["code"] == status and body["message"] and body["request_id"]


# --- the matrix ---------------------------------------------------------------------------

def forged_unknown_everything(app):
    """The issue's token: random sid, random sub, role admin, the development key."""
    return sign(app, str(uuid.uuid4()), str(uuid.uuid4()), role="admin")


def forged_unknown_sid(app):
    _client, user, _tokens = logged_in(app)
    return sign(app, user["id"], str(uuid.uuid4()))


def forged_unknown_sub(app):
    _client, _user, tokens = logged_in(app)
    return sign(app, str(uuid.uuid4()), tokens.session_id)


def forged_other_users_session(app):
    _client, user, _tokens = logged_in(app)
    _other_client, _other, other_tokens = logged_in(app)
    return sign(app, user["id"], other_tokens.session_id)


def revoked_session(app):
    client, _user, tokens = logged_in(app)
    assert client.post(f"{API}/auth/logout", headers=tokens.headers).status_code == 204
    return tokens.access


def revoked_session_not_yet_in_redis(app):
    """Revoked, and Redis lost the record (restarted) before the projection wrote it
    again: a miss asks PostgreSQL, which knows."""
    client, _user, tokens = logged_in(app)
    assert client.get(USER_ROUTE, headers=tokens.headers).status_code == 200
    assert client.post(f"{API}/auth/logout", headers=tokens.headers).status_code == 204
    app.extensions["movienexus"].redis.delete(session_key(tokens.session_id))
    return tokens.access


def deleted_user(app):
    _client, user, tokens = logged_in(app)
    delete_user(app, user["id"])
    return tokens.access


def deleted_user_after_use(app):
    """Used (so Redis knows the session), then the user is deleted: once the user's
    record is gone from Redis (as a deletion would clear it) the token stops."""
    client, user, tokens = logged_in(app)
    assert client.get(USER_ROUTE, headers=tokens.headers).status_code == 200
    delete_user(app, user["id"])
    app.extensions["movienexus"].redis.delete(user_key(user["id"]))
    return tokens.access


def login_before_a_reset(app):
    """A session started with the old password (as a login racing a reset would be):
    the reset moved the credentials version, so it no longer counts."""
    client, user, tokens = logged_in(app)
    assert client.get(USER_ROUTE, headers=tokens.headers).status_code == 200
    with app.extensions["movienexus"].engine.begin() as conn:
        conn.execute(text("UPDATE sessions SET credentials_version = 0 WHERE id = :id"),
                     {"id": tokens.session_id})
    container = app.extensions["movienexus"]
    container.redis.delete(session_key(tokens.session_id))
    return tokens.access


def not_a_uuid(app):
    return sign(app, "admin", "catalog-test-session", role="admin")


FORGED = {
    "unknown-sid-sub-and-admin-claim": forged_unknown_everything,
    "unknown-sid": forged_unknown_sid,
    "unknown-sub": forged_unknown_sub,
    "another-users-session": forged_other_users_session,
    "revoked-session": revoked_session,
    "revoked-session-lost-by-redis": revoked_session_not_yet_in_redis,
    "deleted-user": deleted_user,
    "deleted-user-after-use": deleted_user_after_use,
    "older-credentials": login_before_a_reset,
    "ids-that-are-not-uuids": not_a_uuid,
}


@pytest.mark.parametrize("kind", list(FORGED))
@pytest.mark.parametrize("route", [USER_ROUTE, ADMIN_ROUTE, f"{API}/me"])
def test_a_token_without_a_live_session_is_401(app, kind, route):
    access = FORGED[kind](app)
    response = new_client(app).get(route, headers=bearer(access))
    assert_refused(response, 401)
    assert response.headers.get("WWW-Authenticate") == "Bearer"


@pytest.mark.parametrize("kind", ["unknown-sid", "unknown-sub", "revoked-session",
                                  "deleted-user"])
def test_a_refresh_token_without_a_live_session_is_401(app, kind):
    if kind == "unknown-sid":
        _c, user, _t = logged_in(app)
        token = sign(app, user["id"], str(uuid.uuid4()), refresh=True)
    elif kind == "unknown-sub":
        _c, _u, tokens = logged_in(app)
        token = sign(app, str(uuid.uuid4()), tokens.session_id, refresh=True)
    elif kind == "revoked-session":
        client, _u, tokens = logged_in(app)
        client.post(f"{API}/auth/logout", headers=tokens.headers)
        token = tokens.refresh
    else:
        _c, user, tokens = logged_in(app)
        delete_user(app, user["id"])
        token = tokens.refresh
    assert_refused(new_client(app).post(f"{API}/auth/refresh", headers=bearer(token)), 401)


def test_the_real_tokens_work(app):
    """The control: the same kind of account, unforged, is accepted."""
    client, _user, tokens = logged_in(app)
    assert client.get(USER_ROUTE, headers=tokens.headers).status_code == 200
    assert client.get(USER_ROUTE, headers=tokens.headers).status_code == 200  # from Redis
    assert client.post(f"{API}/auth/refresh", headers=bearer(tokens.refresh)).status_code \
        == 200


# --- admin: the stored role and a verified email -------------------------------------------

def test_an_admin_claim_for_a_user_who_is_not_one_is_403(app):
    _client, user, tokens = logged_in(app, role="user", verified=True)
    claimed = sign(app, user["id"], tokens.session_id, role="admin")
    assert_refused(new_client(app).get(ADMIN_ROUTE, headers=bearer(claimed)), 403)


def test_an_admin_with_an_unverified_email_is_403(app):
    _client, _user, tokens = logged_in(app, role="admin", verified=False)
    response = new_client(app).get(ADMIN_ROUTE, headers=tokens.headers)
    assert_refused(response, 403)
    assert "verified" in response.get_json()["message"]


def test_a_verified_admin_is_let_in_whatever_the_claim_says(app):
    _client, user, tokens = logged_in(app, role="admin", verified=True)
    assert new_client(app).get(ADMIN_ROUTE, headers=tokens.headers).status_code == 200
    modest = sign(app, user["id"], tokens.session_id, role="user")
    assert new_client(app).get(ADMIN_ROUTE, headers=bearer(modest)).status_code == 200


def test_an_admin_demoted_in_the_table_is_403_at_once(app):
    _client, user, tokens = logged_in(app, role="admin", verified=True)
    assert new_client(app).get(ADMIN_ROUTE, headers=tokens.headers).status_code == 200
    set_standing(app, user["id"], "user", True)
    assert_refused(new_client(app).get(ADMIN_ROUTE, headers=tokens.headers), 403)


# --- email-link tokens --------------------------------------------------------------------

def email_token(secret: str, salt: str, payload: dict) -> str:
    return URLSafeTimedSerializer(secret, salt=salt).dumps(payload)


def test_an_email_token_under_another_salt_or_the_jwt_key_is_refused(app, settings):
    """Verification and reset links are 400 when bad (API.md); as a Bearer, 401."""
    client, user, tokens = logged_in(app)
    ids = {"u": user["id"], "e": user["email"]}
    reset = {"u": user["id"], "c": 1}
    verify_as_reset = email_token(settings.email_token_secret, VERIFY, reset)
    reset_as_verify = email_token(settings.email_token_secret, RESET, ids)
    jwt_signed_reset = email_token(settings.jwt_secret_key, RESET, reset)
    jwt_signed_verify = email_token(settings.jwt_secret_key, VERIFY, ids)
    confirm = f"{API}/auth/password/reset/confirm"
    for token in (verify_as_reset, jwt_signed_reset):
        response = client.post(confirm, json={"token": token, "new_password": NEW_PASSWORD})
        assert_refused(response, 400)
    for token in (reset_as_verify, jwt_signed_verify):
        assert_refused(client.post(f"{API}/auth/verify-email", json={"token": token}), 400)
    for token in (verify_as_reset, jwt_signed_verify):
        assert_refused(client.get(USER_ROUTE, headers=bearer(token)), 401)
    # None of it changed the password or verified the address; a real token works.
    login_response(client, user["email"], PASSWORD)
    good = email_token(settings.email_token_secret, RESET, reset)
    response = client.post(confirm, json={"token": good, "new_password": NEW_PASSWORD})
    assert response.status_code == 204, response.get_data(as_text=True)
    assert_refused(client.get(USER_ROUTE, headers=tokens.headers), 401)  # reset ends it


def test_the_email_key_is_not_the_jwt_key(settings, container):
    assert settings.email_token_secret != settings.jwt_secret_key
    token = container.email_tokens.reset_token(str(uuid.uuid4()), 1)
    with pytest.raises(Exception):
        URLSafeTimedSerializer(settings.jwt_secret_key, salt=RESET).loads(token)


# --- password changes and the credentials version -----------------------------------------

def test_a_password_change_keeps_the_callers_session_and_ends_the_rest(app):
    client, user, mine = logged_in(app)
    body = login_response(new_client(app), user["email"]).get_json()
    other = Tokens(body["access_token"], body["refresh_token"])
    assert client.get(USER_ROUTE, headers=other.headers).status_code == 200
    response = client.post(f"{API}/auth/password/change", headers=mine.headers,
                           json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert response.status_code == 204, response.get_data(as_text=True)
    assert client.get(USER_ROUTE, headers=mine.headers).status_code == 200
    assert_refused(client.get(USER_ROUTE, headers=other.headers), 401)
    with app.extensions["movienexus"].engine.connect() as conn:
        versions = conn.execute(text(
            "SELECT s.credentials_version, u.credentials_version FROM sessions s "
            "JOIN users u ON u.id = s.user_id WHERE s.id = :id"),
            {"id": mine.session_id}).one()
    assert versions[0] == versions[1] == 2
    # Redis forgotten: PostgreSQL says the same.
    app.extensions["movienexus"].redis.delete(session_key(mine.session_id),
                                              user_key(user["id"]))
    assert client.get(USER_ROUTE, headers=mine.headers).status_code == 200
    assert client.post(f"{API}/auth/refresh", headers=bearer(mine.refresh)).status_code == 200


# --- the email reactor trusts the users table, not the event ------------------------------

def test_a_forged_reset_event_mails_the_stored_address_with_the_stored_version(
        app, container, smtp):
    """Someone who can publish to the broker sends a MailRequested for a reset: a mail
    goes only to an account's own stored address, with a token for its real
    credentials version; the attacker's address (no account) gets nothing."""
    from adapters.mailer import SmtpMailer
    from notifications.reactor import EmailReactor
    from adapters.messaging.envelope import Envelope
    from tests.support.smtp import Inbox
    from tests.support.util import unique_email
    user = register(new_client(app))
    attacker = unique_email("attacker")
    reactor = EmailReactor(container.engine, SmtpMailer("127.0.0.1", smtp.port, "t@x.io"),
                           container.email_tokens, "http://front.example", 60)

    def forged(email: str) -> Envelope:
        return Envelope(event_id=str(uuid.uuid4()), event_type="MailRequested",
                        event_version=1, aggregate_type="mail_request",
                        aggregate_id=str(uuid.uuid4()), aggregate_version=1, position=0,
                        occurred_at="2026-01-01T00:00:00Z",
                        payload={"kind": "password_reset", "email": email,
                                 "credentials_version": 7})
    assert not reactor.react(forged(attacker))
    assert reactor.react(forged(user["email"]))
    token = Inbox.token_in(smtp.wait_for(user["email"], "Reset your Movie Nexus password"))
    assert container.email_tokens.read_reset(token).credentials_version == 1
    assert smtp.count(attacker) == 0
