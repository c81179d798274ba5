"""Bad input on every endpoint under /api/v1/auth and /api/v1/me: each answers the
documented 4xx in the documented error shape (code, status, message, errors for
validation, request_id), as JSON, never a 500 and never a stack trace.

Runs against the real app wired to the real PostgreSQL and Redis. No pipeline: every
check here is answered by the write side or before a read model is consulted. Each
test uses its own client IP, so the rate limits (per IP / per email+IP) never mix
the cases up, and its own unique emails."""
from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from http import HTTPStatus
from typing import Callable

import jwt as pyjwt
import pytest
from flask_jwt_extended import create_access_token, create_refresh_token
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from adapters.email_tokens import RESET, VERIFY
from tests.support.api_client import (API, NEW_PASSWORD, PASSWORD, Tokens, bearer,
                                      login_response, new_client, register)
from tests.support.util import unique_email

HUGE = 10_000
ERROR_KEYS = {"code", "status", "message", "errors", "request_id"}


# --- helpers ----------------------------------------------------------------------------





def assert_no_trace(response) -> None:
    text = response.get_data(as_text=True)
    assert "Traceback" not in text and 'File "/' not in text, text[:500]


def assert_error(response, status: int, fields: tuple[str, ...] = (),
                 message_part: str | None = None) -> dict:
    """The documented error shape; `fields` must each be named in `errors`."""
    text = response.get_data(as_text=True)
    assert response.status_code == status, f"{response.status_code}: {text[:600]}"
    assert response.mimetype == "application/json", response.mimetype
    assert_no_trace(response)
    body = response.get_json()
    assert isinstance(body, dict), text[:300]
    assert set(body) <= ERROR_KEYS, body
    assert body["code"] == status
    assert body["status"] == HTTPStatus(status).phrase
    assert isinstance(body["message"], str) and body["message"].strip()
    assert isinstance(body["request_id"], str) and body["request_id"]
    assert body["request_id"] == response.headers["X-Request-ID"]
    if fields:
        errors = body.get("errors")
        assert isinstance(errors, dict), body
        for field in fields:
            assert field in errors, (field, errors)
            assert errors[field] and all(isinstance(m, str) and m for m in errors[field])
    elif status not in (400, 422):
        assert "errors" not in body, body
    if message_part:
        assert message_part.lower() in body["message"].lower(), body["message"]
    return body


def assert_client_error(response, field: str) -> dict:
    """A 400 or a 422 naming `field` (the two bad-input statuses of the contract)."""
    assert response.status_code in (400, 422), \
        f"{response.status_code}: {response.get_data(as_text=True)[:600]}"
    return assert_error(response, response.status_code, (field,))




@dataclass
class Account(Tokens):
    id: str = ""
    email: str = ""
    password: str = PASSWORD


def login(client, email: str, password: str = PASSWORD) -> dict:
    return login_response(client, email, password).get_json()


def new_account(client) -> Account:
    user = register(client)
    tokens = login(client, user["email"])
    return Account(tokens["access_token"], tokens["refresh_token"], id=user["id"],
                   email=user["email"])


class _PastSigner(TimestampSigner):
    """Signs as if ten days ago: beyond the verification and reset lifetimes."""

    def get_timestamp(self) -> int:
        return int(time.time()) - 10 * 24 * 3600


def email_link_token(secret: str, salt: str, payload: dict, *, expired: bool = False) -> str:
    serializer = URLSafeTimedSerializer(secret, salt=salt,
                                        signer=_PastSigner if expired else TimestampSigner)
    return serializer.dumps(payload)


# --- fixtures ---------------------------------------------------------------------------

@pytest.fixture
def client(app):
    """The real app, from an IP of this test's own (rate-limit counters stay apart)."""
    return new_client(app)


@pytest.fixture(scope="module")
def account(app) -> Account:
    """One account for the checks that change nothing."""
    return new_account(new_client(app))


@pytest.fixture
def fresh(client) -> Account:
    """An account of this test's own, for checks that spend or change something."""
    return new_account(client)


@pytest.fixture(scope="module")
def tokens(app, account, settings) -> dict[str, dict[str, str]]:
    """Bad Authorization headers, per kind, for endpoints wanting an access token
    ("access") and for /auth/refresh ("refresh"). None means no header at all."""
    claims = pyjwt.decode(account.access, options={"verify_signature": False})
    refresh_claims = pyjwt.decode(account.refresh, options={"verify_signature": False})
    sid = claims["sid"]
    with app.app_context():
        expired_access = create_access_token(
            identity=account.id, additional_claims={"sid": sid, "role": "user"},
            expires_delta=timedelta(seconds=-120))
        expired_refresh = create_refresh_token(
            identity=account.id, additional_claims={"sid": sid, "jti": str(uuid.uuid4())},
            expires_delta=timedelta(seconds=-120))
        no_session_access = create_access_token(identity=account.id,
                                                additional_claims={"role": "user"})
        no_session_refresh = create_refresh_token(identity=account.id)
    other = "another-secret-that-is-long-enough-0123456789"
    client = new_client(app)
    ended = login(client, account.email)
    response = client.post(f"{API}/auth/logout", headers=bearer(ended["access_token"]))
    assert response.status_code == 204
    verification = email_link_token(settings.email_token_secret, VERIFY,
                                     {"u": account.id, "e": account.email})
    common = {
        "missing": None,
        "bearer-alone": "Bearer",
        "bearer-space": "Bearer ",
        "garbage": "Bearer not-a-jwt",
        "garbage-segments": "Bearer abc.def.ghi",
        "basic-scheme": "Basic dXNlcjpwYXNz",
        "token-without-scheme": account.access,
        "email-link-token": f"Bearer {verification}",
    }
    access_kinds = {
        **common,
        "other-secret": f"Bearer {pyjwt.encode(claims, other, algorithm='HS256')}",
        "alg-none": f"Bearer {pyjwt.encode(claims, None, algorithm='none')}",
        "expired": f"Bearer {expired_access}",
        "wrong-type": f"Bearer {account.refresh}",
        "logged-out-session": f"Bearer {ended['access_token']}",
        "no-session-claim": f"Bearer {no_session_access}",
    }
    refresh_kinds = {
        **common,
        "other-secret": f"Bearer {pyjwt.encode(refresh_claims, other, algorithm='HS256')}",
        "alg-none": f"Bearer {pyjwt.encode(refresh_claims, None, algorithm='none')}",
        "expired": f"Bearer {expired_refresh}",
        "wrong-type": f"Bearer {account.access}",
        "logged-out-session": f"Bearer {ended['refresh_token']}",
        "no-session-claim": f"Bearer {no_session_refresh}",
    }
    return {"access": access_kinds, "refresh": refresh_kinds}


# --- tokens on every authenticated endpoint ---------------------------------------------

AUTHENTICATED = [
    ("POST", "/auth/refresh", "refresh", None),
    ("POST", "/auth/logout", "access", None),
    ("POST", "/auth/password/change", "access",
     {"current_password": PASSWORD, "new_password": NEW_PASSWORD}),
    ("GET", "/auth/sessions", "access", None),
    ("DELETE", "/auth/sessions/{sid}", "access", None),
    ("GET", "/me", "access", None),
    ("PATCH", "/me", "access", {"first_name": "Mallory"}),
]
TOKEN_KINDS = ["missing", "bearer-alone", "bearer-space", "garbage", "garbage-segments",
               "basic-scheme", "token-without-scheme", "email-link-token", "other-secret",
               "alg-none", "expired", "wrong-type", "logged-out-session", "no-session-claim"]
TOKEN_MESSAGES = {"expired": "expired", "logged-out-session": "ended",
                  "no-session-claim": "ended", "missing": "log in"}


@pytest.mark.parametrize("kind", TOKEN_KINDS)
@pytest.mark.parametrize("method,path,wants,body", AUTHENTICATED,
                         ids=[f"{m} {p}" for m, p, _, _ in AUTHENTICATED])
def test_bad_tokens_are_401(client, account, tokens, method, path, wants, body, kind):
    header = tokens[wants][kind]
    headers = {"Authorization": header} if header is not None else {}
    response = client.open(f"{API}{path.format(sid=account.session_id)}", method=method,
                           headers=headers, json=body)
    assert_error(response, 401, message_part=TOKEN_MESSAGES.get(kind))
    assert response.headers.get("WWW-Authenticate") == "Bearer"


def test_the_good_tokens_still_work_after_all_that(client, account):
    """The control for the test above: the account's own tokens are accepted (so the
    401s come from the tokens, and no bad token ended the real session)."""
    response = client.get(f"{API}/auth/sessions", headers=account.headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    response = client.patch(f"{API}/me", headers=account.headers, json={})
    assert response.status_code == 200
    assert response.get_json()["email"] == account.email


# --- bodies: every endpoint that takes one ----------------------------------------------

@dataclass(frozen=True)
class BodyEndpoint:
    method: str
    path: str
    auth: bool
    body: Callable[[Account], dict]
    required: tuple[str, ...]
    strings: tuple[str, ...]


BODY_ENDPOINTS = {
    "register": BodyEndpoint(
        "POST", "/auth/register", False,
        lambda a: {"email": unique_email("reg"), "password": PASSWORD, "first_name": "Ada",
                   "last_name": "Lovelace"},
        ("email", "password"), ("email", "password", "first_name", "last_name")),
    "verify-email": BodyEndpoint(
        "POST", "/auth/verify-email", False, lambda a: {"token": "not-a-real-token-123"},
        ("token",), ("token",)),
    "resend-verification": BodyEndpoint(
        "POST", "/auth/resend-verification", False,
        lambda a: {"email": unique_email("resend")}, ("email",), ("email",)),
    "login": BodyEndpoint(
        "POST", "/auth/login", False, lambda a: {"email": a.email, "password": "Wr0ng-pass-x"},
        ("email", "password"), ("email", "password")),
    "password-change": BodyEndpoint(
        "POST", "/auth/password/change", True,
        lambda a: {"current_password": a.password, "new_password": NEW_PASSWORD},
        ("current_password", "new_password"), ("current_password", "new_password")),
    "password-reset": BodyEndpoint(
        "POST", "/auth/password/reset", False, lambda a: {"email": unique_email("reset")},
        ("email",), ("email",)),
    "password-reset-confirm": BodyEndpoint(
        "POST", "/auth/password/reset/confirm", False,
        lambda a: {"token": "not-a-real-token-123", "new_password": NEW_PASSWORD},
        ("token", "new_password"), ("token", "new_password")),
    "patch-me": BodyEndpoint(
        "PATCH", "/me", True, lambda a: {"first_name": "Ada"}, (),
        ("first_name", "last_name")),
}


def send(client, account: Account, endpoint: BodyEndpoint, **kwargs):
    headers = account.headers if endpoint.auth else {}
    return client.open(f"{API}{endpoint.path}", method=endpoint.method, headers=headers,
                       **kwargs)


def _huge_value(field: str) -> str:
    if "email" in field:
        return f"{uuid.uuid4().hex}{'a' * HUGE}@example.com"
    return uuid.uuid4().hex + "x" * HUGE


WRONG_VALUES = {
    "number": lambda f: 12345,
    "float": lambda f: 1.5,
    "boolean": lambda f: True,
    "list": lambda f: ["a@example.com"],
    "object": lambda f: {"value": "a@example.com"},
    "null": lambda f: None,
    "oversized": _huge_value,
}
FIELD_CASES = [(name, field, kind) for name, e in BODY_ENDPOINTS.items()
               for field in e.strings for kind in WRONG_VALUES]


@pytest.mark.parametrize("name,field,kind", FIELD_CASES,
                         ids=[f"{n}-{f}-{k}" for n, f, k in FIELD_CASES])
def test_a_wrong_field_value_is_422_naming_the_field(client, account, name, field, kind):
    endpoint = BODY_ENDPOINTS[name]
    body = {**endpoint.body(account), field: WRONG_VALUES[kind](field)}
    assert_error(send(client, account, endpoint, json=body), 422, (field,))


MISSING_CASES = [(name, field) for name, e in BODY_ENDPOINTS.items() for field in e.required]


@pytest.mark.parametrize("name,field", MISSING_CASES,
                         ids=[f"{n}-{f}" for n, f in MISSING_CASES])
def test_a_missing_required_field_is_422_naming_it(client, account, name, field):
    endpoint = BODY_ENDPOINTS[name]
    body = endpoint.body(account)
    del body[field]
    errors = assert_error(send(client, account, endpoint, json=body), 422, (field,))["errors"]
    assert set(errors) == {field}


def _json(text: str | bytes) -> dict:
    return {"data": text, "content_type": "application/json"}


WHOLE_BODY_CASES: dict[str, tuple[Callable[[dict], dict], int, str | None]] = {
    # name: (request kwargs from the valid body, status, field named in errors)
    "malformed-json": (lambda b: _json(json.dumps(b)[:-3]), 400, "json"),
    "trailing-garbage": (lambda b: _json(json.dumps(b) + " }x"), 400, "json"),
    "single-quotes": (lambda b: _json(str(b)), 400, "json"),
    "not-utf8": (lambda b: _json(b'{"email": "\xff\xfe\xfd"}'), 400, "json"),
    "json-list": (lambda b: {"json": [b]}, 422, "_schema"),
    "json-string": (lambda b: {"json": "a@example.com"}, 422, "_schema"),
    "json-number": (lambda b: _json("42"), 422, "_schema"),
    "json-null": (lambda b: _json("null"), 422, "_schema"),
    "json-true": (lambda b: _json("true"), 422, "_schema"),
    "unknown-field": (lambda b: {"json": {**b, "is_admin": True}}, 422, "is_admin"),
    "too-large": (lambda b: {"json": {**b, "padding": "x" * (70 * 1024)}}, 413, None),
}
# Without a JSON body an endpoint with required fields says which are missing.
NO_JSON_CASES: dict[str, Callable[[dict], dict]] = {
    "empty-body": lambda b: {"data": ""},
    "empty-body-json-type": lambda b: _json(""),
}
# A body that is there but is not JSON is refused as such (415), never read as `{}`.
NOT_JSON_CASES: dict[str, Callable[[dict], dict]] = {
    "text-plain": lambda b: {"data": json.dumps(b), "content_type": "text/plain"},
    "form-encoded": lambda b: {"data": {k: str(v) for k, v in b.items()}},
}


@pytest.mark.parametrize("case", list(WHOLE_BODY_CASES))
@pytest.mark.parametrize("name", list(BODY_ENDPOINTS))
def test_a_bad_body_is_a_4xx(client, account, name, case):
    endpoint = BODY_ENDPOINTS[name]
    make, status, field = WHOLE_BODY_CASES[case]
    response = send(client, account, endpoint, **make(endpoint.body(account)))
    assert_error(response, status, (field,) if field else ())


NO_JSON_PARAMS = [(n, c) for n, e in BODY_ENDPOINTS.items() if e.required
                  for c in NO_JSON_CASES]


@pytest.mark.parametrize("name,case", NO_JSON_PARAMS, ids=[f"{n}-{c}" for n, c in NO_JSON_PARAMS])
def test_no_json_body_is_422_naming_the_required_fields(client, account, name, case):
    endpoint = BODY_ENDPOINTS[name]
    response = send(client, account, endpoint, **NO_JSON_CASES[case](endpoint.body(account)))
    errors = assert_error(response, 422, endpoint.required)["errors"]
    assert set(errors) == set(endpoint.required)


NOT_JSON_PARAMS = [(n, c) for n in BODY_ENDPOINTS for c in NOT_JSON_CASES]


@pytest.mark.parametrize("name,case", NOT_JSON_PARAMS,
                         ids=[f"{n}-{c}" for n, c in NOT_JSON_PARAMS])
def test_a_body_that_is_not_json_is_a_415(client, account, name, case):
    endpoint = BODY_ENDPOINTS[name]
    response = send(client, account, endpoint, **NOT_JSON_CASES[case](endpoint.body(account)))
    assert_error(response, 415, message_part="JSON")


def test_patch_me_with_an_empty_body_changes_nothing(client, account):
    """Every PATCH field is optional: an empty body is a valid no-op (200, same state)."""
    before = client.patch(f"{API}/me", headers=account.headers, json={})
    assert before.status_code == 200
    for kwargs in ({"data": ""}, _json(""), {"json": {}}):
        response = client.patch(f"{API}/me", headers=account.headers, **kwargs)
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.get_json() == before.get_json()
        assert "X-Consistency-Token" not in response.headers


@pytest.mark.parametrize("kwargs", [
    {"data": json.dumps({"first_name": "Zed"}), "content_type": "text/plain"},
    {"data": {"first_name": "Zed"}},
], ids=["text-plain", "form-encoded"])
def test_patch_me_with_a_non_json_body_is_refused_not_ignored(client, fresh, kwargs):
    # Was a bug: webargs read such a body as `{}`, so PATCH answered 200 and changed
    # nothing. Now any write with a body that is not JSON is a 415.
    response = client.patch(f"{API}/me", headers=fresh.headers, **kwargs)
    assert 400 <= response.status_code < 500, (
        f"{response.status_code}: {response.get_data(as_text=True)[:300]}")
    assert_error(response, response.status_code)


@pytest.mark.parametrize("name", list(BODY_ENDPOINTS))
def test_deeply_nested_json_is_a_400_not_a_500(client, account, name):
    # Was a bug: json.loads raised RecursionError past webargs, answered as a 500.
    endpoint = BODY_ENDPOINTS[name]
    response = send(client, account, endpoint, **_json("[" * 3000 + "]" * 3000))
    assert_error(response, 400, ("json",))


# Strings JSON can carry but PostgreSQL/UTF-8 cannot: NUL and lone surrogates.
NUL, SURROGATE = "\x00", "\ud800"
UNSTORABLE_CASES = [
    ("register", "email", lambda: f"a{NUL}{unique_email('nul')}"),
    ("register", "email", lambda: f"{SURROGATE}{unique_email('sur')}"),
    ("register", "first_name", lambda: f"Ada{NUL}"),
    ("register", "first_name", lambda: f"Ada{SURROGATE}"),
    ("register", "password", lambda: PASSWORD + SURROGATE),
    ("login", "email", lambda: f"a{NUL}{unique_email('nul')}"),
    ("login", "email", lambda: f"{SURROGATE}{unique_email('sur')}"),
    ("login", "password", lambda: PASSWORD + SURROGATE),
    ("resend-verification", "email", lambda: f"a{NUL}{unique_email('nul')}"),
    ("password-reset", "email", lambda: f"a{NUL}{unique_email('nul')}"),
    ("password-reset", "email", lambda: f"{SURROGATE}{unique_email('sur')}"),
    ("verify-email", "token", lambda: SURROGATE * 20),
    ("password-reset-confirm", "token", lambda: SURROGATE * 20),
    ("password-change", "current_password", lambda: PASSWORD + SURROGATE),
    ("password-change", "new_password", lambda: NEW_PASSWORD + SURROGATE),
    ("patch-me", "first_name", lambda: f"Ada{NUL}"),
    ("patch-me", "last_name", lambda: f"Love{SURROGATE}"),
]


@pytest.mark.parametrize("name,field,value", UNSTORABLE_CASES,
                         ids=[f"{n}-{f}-{'nul' if NUL in v() else 'surrogate'}"
                              for n, f, v in UNSTORABLE_CASES])
def test_unstorable_characters_are_a_4xx_not_a_500(client, account, name, field, value):
    # Was a bug: NUL and lone surrogates reached psycopg/argon2/itsdangerous and gave
    # 500s; the schemas' Text field now refuses them, naming the field.
    endpoint = BODY_ENDPOINTS[name]
    body = {**endpoint.body(account), field: value()}
    response = send(client, account, endpoint, **_json(json.dumps(body)))
    assert_client_error(response, field)


# --- PATCH /me: the profile ---------------------------------------------------------------

PROFILE_CASES = [
    ({"profile": {"timezone": "Mars/Olympus_Mons"}}, "timezone"),
    ({"profile": {"timezone": "Europe/Nowhere"}}, "timezone"),
    ({"profile": {"timezone": "x" * HUGE}}, "timezone"),
    ({"profile": {"timezone": 5}}, "timezone"),
    ({"profile": {"preferred_language": "english"}}, "preferred_language"),
    ({"profile": {"preferred_language": "EN-us"}}, "preferred_language"),
    ({"profile": {"preferred_language": "x" * HUGE}}, "preferred_language"),
    ({"profile": {"privacy": "secret"}}, "privacy"),
    ({"profile": {"privacy": None}}, "privacy"),
    ({"profile": {"privacy": ["public"]}}, "privacy"),
    ({"profile": {"bio": "b" * HUGE}}, "bio"),
    ({"profile": {"bio": 42}}, "bio"),
    ({"profile": {"location": "l" * HUGE}}, "location"),
    ({"profile": {"favorite_genres": "28,12"}}, "favorite_genres"),
    ({"profile": {"favorite_genres": ["action"]}}, "favorite_genres"),
    ({"profile": {"favorite_genres": [0]}}, "favorite_genres"),
    ({"profile": {"favorite_genres": list(range(1, 40))}}, "favorite_genres"),
    ({"profile": {"shoe_size": 44}}, "shoe_size"),
    ({"profile": []}, "profile"),
    ({"profile": "public"}, "profile"),
    ({"profile": None}, "profile"),
    ({"first_name": "f" * HUGE}, "first_name"),
    ({"last_name": "l" * HUGE}, "last_name"),
    ({"role": "admin"}, "role"),
    ({"email": "someone-else@example.com"}, "email"),
    ({"email_verified": True}, "email_verified"),
    ({"id": str(uuid.uuid4())}, "id"),
]


def _names(errors: dict, field: str) -> bool:
    """Schema errors name nested fields by path ("profile.privacy", "profile.
    favorite_genres.0"); domain errors name them bare ("timezone"). Either counts."""
    return any(field in key.split(".") for key in errors)


@pytest.mark.parametrize("body,field", PROFILE_CASES,
                         ids=[f"{next(iter(b))}-{f}-{i}" for i, (b, f) in
                              enumerate(PROFILE_CASES)])
def test_patch_me_bad_values_are_refused_naming_the_field(client, account, body, field):
    response = client.patch(f"{API}/me", headers=account.headers, json=body)
    assert response.status_code in (400, 422), response.get_data(as_text=True)[:400]
    errors = assert_error(response, response.status_code)["errors"]
    assert _names(errors, field), errors
    # Nothing was applied: the profile is still the default one.
    state = client.patch(f"{API}/me", headers=account.headers, json={}).get_json()
    assert state["role"] == "user" and state["email"] == account.email
    assert state["first_name"] == "" and state["profile"]["privacy"] == "private"
    assert state["profile"]["timezone"] == "" and state["profile"]["bio"] == ""


# --- passwords --------------------------------------------------------------------------

def _policy_cases(email: str) -> dict[str, str]:
    return {
        "too-short": "Ab1!x",
        "nine-chars": "Abcdef12!",
        "lowercase-only": "onlylowercaseletters",
        "digits-only": "12345678901234",
        "uppercase-only": "ONLYUPPERCASELETTERS",
        "symbols-only": "!@#$%^&*()_+-=",
        "equal-to-email": email,
        "email-uppercased": email.upper(),
        "email-with-spaces": f"  {email}  ",
        "equal-to-local-part": email.split("@")[0],
    }


POLICY_CASES = list(_policy_cases("x@example.com"))


@pytest.mark.parametrize("case", POLICY_CASES)
def test_register_refuses_a_weak_password_with_errors_password(client, case):
    email = unique_email("weak")
    password = _policy_cases(email)[case]
    response = client.post(f"{API}/auth/register", json={"email": email, "password": password})
    assert_error(response, 400, ("password",))
    # And no account was made: the same email with a good password registers.
    response = client.post(f"{API}/auth/register", json={"email": email, "password": PASSWORD})
    assert response.status_code == 201, response.get_data(as_text=True)


@pytest.mark.parametrize("case", POLICY_CASES)
def test_password_change_refuses_a_weak_new_password(client, fresh, case):
    password = _policy_cases(fresh.email)[case]
    response = client.post(f"{API}/auth/password/change", headers=fresh.headers,
                           json={"current_password": fresh.password, "new_password": password})
    assert_error(response, 400, ("new_password",))
    # The old password still logs in.
    login(client, fresh.email, fresh.password)


def test_password_change_with_a_wrong_current_password_is_400(client, fresh):
    response = client.post(f"{API}/auth/password/change", headers=fresh.headers,
                           json={"current_password": "Wr0ng-password!", "new_password":
                                 NEW_PASSWORD})
    assert_error(response, 400, ("current_password",))
    login(client, fresh.email, fresh.password)


@pytest.mark.parametrize("case", ["too-short", "lowercase-only", "equal-to-email"])
def test_reset_confirm_refuses_a_weak_new_password_and_keeps_the_token(
        client, fresh, container, case):
    token = container.email_tokens.reset_token(fresh.id, 1)
    response = client.post(f"{API}/auth/password/reset/confirm", json={
        "token": token, "new_password": _policy_cases(fresh.email)[case]})
    assert_error(response, 400, ("new_password",))
    response = client.post(f"{API}/auth/password/reset/confirm",
                           json={"token": token, "new_password": NEW_PASSWORD})
    assert response.status_code == 204, response.get_data(as_text=True)


def test_a_bad_email_and_a_weak_password_together_are_one_4xx(client):
    """Both broken: the answer is still one 400/422 in the error shape."""
    response = client.post(f"{API}/auth/register", json={"email": "nope", "password": "short"})
    assert response.status_code in (400, 422)
    body = assert_error(response, response.status_code)
    assert set(body["errors"]) <= {"email", "password"} and body["errors"]


# Unique each run: the mail endpoints count per (body) email, across runs.
MALFORMED_EMAILS = {
    "no-at": lambda h: f"plainaddress{h}",
    "no-local-part": lambda h: f"@{h}.example.com",
    "no-dot-domain": lambda h: f"{h}@b",
    "two-ats": lambda h: f"{h}@@example.com",
    "space-inside": lambda h: f"a {h}@example.com",
    "one-letter-tld": lambda h: f"{h}@example.c",
    "local-part-too-long": lambda h: f"{h * 3}@example.com",
}


@pytest.mark.parametrize("kind", list(MALFORMED_EMAILS))
@pytest.mark.parametrize("path", ["/auth/register", "/auth/login",
                                  "/auth/resend-verification", "/auth/password/reset"])
def test_a_malformed_email_is_4xx_naming_email(client, path, kind):
    # 422 from the schema's email-validator, or 400 from the domain's own check.
    email = MALFORMED_EMAILS[kind](uuid.uuid4().hex)
    response = client.post(f"{API}{path}", json={"email": email, "password": PASSWORD}
                           if path in ("/auth/register", "/auth/login") else {"email": email})
    assert_client_error(response, "email")


# --- email-link tokens --------------------------------------------------------------------

def _verify(client, token: str):
    return client.post(f"{API}/auth/verify-email", json={"token": token})


def _confirm(client, token: str, password: str = NEW_PASSWORD):
    return client.post(f"{API}/auth/password/reset/confirm",
                       json={"token": token, "new_password": password})


@pytest.mark.parametrize("token", [
    "garbage-garbage-garbage",
    "x" * 999,
    "eyJ1IjoiMSJ9.Zz1234.abcdefghijklmnopqrstuvwxyz",
    "é" * 20,
], ids=["garbage", "long-garbage", "token-shaped", "non-ascii"])
def test_garbage_email_link_tokens_are_400(client, token):
    assert_error(_verify(client, token), 400, ("token",))
    assert_error(_confirm(client, token), 400, ("token",))


def test_verification_tokens_expired_forged_or_of_the_wrong_kind_are_400(
        client, fresh, settings):
    claims = {"u": fresh.id, "e": fresh.email}
    expired = email_link_token(settings.email_token_secret, VERIFY, claims, expired=True)
    assert_error(_verify(client, expired), 400, ("token",), message_part="expired")
    forged = email_link_token("another-secret-0123456789-0123456789", VERIFY, claims)
    assert_error(_verify(client, forged), 400, ("token",))
    reset_kind = email_link_token(settings.email_token_secret, RESET, {"u": fresh.id, "c": 1})
    assert_error(_verify(client, reset_kind), 400, ("token",))
    assert_error(_verify(client, fresh.access), 400, ("token",))
    other_email = email_link_token(settings.email_token_secret, VERIFY,
                                   {"u": fresh.id, "e": unique_email("other")})
    assert_error(_verify(client, other_email), 400, ("token",))
    # None of that verified the account: a good token still does, once.
    good = email_link_token(settings.email_token_secret, VERIFY, claims)
    response = _verify(client, good)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == {"email_verified": True}
    assert_error(_verify(client, good), 400, ("token",))


def test_reset_tokens_expired_forged_of_the_wrong_kind_or_used_are_400(
        client, fresh, settings):
    claims = {"u": fresh.id, "c": 1}
    expired = email_link_token(settings.email_token_secret, RESET, claims, expired=True)
    assert_error(_confirm(client, expired), 400, ("token",), message_part="expired")
    forged = email_link_token("another-secret-0123456789-0123456789", RESET, claims)
    assert_error(_confirm(client, forged), 400, ("token",))
    verify_kind = email_link_token(settings.email_token_secret, VERIFY,
                                   {"u": fresh.id, "e": fresh.email})
    assert_error(_confirm(client, verify_kind), 400, ("token",))
    assert_error(_confirm(client, fresh.refresh), 400, ("token",))
    stale_version = email_link_token(settings.email_token_secret, RESET, {"u": fresh.id, "c": 0})
    assert_error(_confirm(client, stale_version), 400, ("token",))
    unknown_user = email_link_token(settings.email_token_secret, RESET,
                                    {"u": str(uuid.uuid4()), "c": 1})
    assert_error(_confirm(client, unknown_user), 400, ("token",))
    # The password is unchanged by all that; a good token works once, then is spent.
    login(client, fresh.email, fresh.password)
    good = email_link_token(settings.email_token_secret, RESET, claims)
    assert _confirm(client, good).status_code == 204
    assert_error(_confirm(client, good, "An0ther-new-password"), 400, ("token",))
    login(client, fresh.email, NEW_PASSWORD)


# --- sessions: paging, ids, consistency tokens -------------------------------------------

@pytest.mark.parametrize("query,field", [
    ("page=0", "page"), ("page=-1", "page"), ("page=abc", "page"), ("page=1.5", "page"),
    ("page=100001", "page"), ("page=" + "9" * 30, "page"),
    ("page_size=0", "page_size"), ("page_size=-5", "page_size"),
    ("page_size=many", "page_size"),
])
def test_bad_paging_is_422_naming_the_parameter(client, account, query, field):
    response = client.get(f"{API}/auth/sessions?{query}", headers=account.headers)
    assert_error(response, 422, (field,))


@pytest.mark.parametrize("page_size", [101, 10_000, 10**12])
def test_a_huge_page_size_is_clamped_to_100(client, account, page_size):
    response = client.get(f"{API}/auth/sessions?page_size={page_size}",
                          headers=account.headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["page_size"] == 100 and body["page"] == 1
    assert set(body) == {"items", "page", "page_size", "total", "total_pages"}


@pytest.mark.parametrize("session_id", ["not-a-uuid", "123", "0" * 32,
                                        "00000000-0000-0000-0000-00000000000g",
                                        "00000000-0000-0000-0000-0000000000000"])
def test_a_malformed_session_id_is_a_json_404(client, account, session_id):
    response = client.delete(f"{API}/auth/sessions/{session_id}", headers=account.headers)
    assert_error(response, 404)


def test_an_unknown_session_id_is_a_json_404(client, account):
    response = client.delete(f"{API}/auth/sessions/{uuid.uuid4()}", headers=account.headers)
    assert_error(response, 404, message_part="no such session")


@pytest.mark.parametrize("token", [
    "garbage", "1.user", "1.user.abc", "-1.user.abc.1", "1.USER.abc.1", "1.user.abc.1.2",
    "1.user.abc.x", "1.user." + "a" * 65 + ".1", "9" * 20 + ".user.abc.1", "1.us er.abc.1",
    "1.user.abc.1;drop", "é.user.abc.1",
])
@pytest.mark.parametrize("path", ["/me", "/auth/sessions"])
def test_a_malformed_consistency_token_is_400(client, account, path, token):
    response = client.get(f"{API}{path}", headers={**account.headers,
                                                    "X-Consistency-Token": token})
    assert_error(response, 400, message_part="X-Consistency-Token")
    assert "X-Consistency" not in response.headers


# --- routes and methods -----------------------------------------------------------------

@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/v1/auth/nope", "/api/v1/me/nope",
                                  "/api/v1/auth/sessions/x/y", "/api/v2/me", "/nope"])
def test_unknown_routes_are_json_404(client, account, path):
    for method in ("GET", "POST", "DELETE"):
        response = client.open(path, method=method, headers=account.headers)
        assert_error(response, 404)


WRONG_METHODS = [
    ("GET", "/auth/register"), ("GET", "/auth/login"), ("PUT", "/auth/login"),
    ("GET", "/auth/logout"), ("GET", "/auth/refresh"), ("DELETE", "/auth/verify-email"),
    ("GET", "/auth/password/reset"), ("PATCH", "/auth/password/change"),
    ("POST", "/auth/sessions"), ("DELETE", "/auth/sessions"),
    ("GET", "/auth/sessions/{sid}"), ("PATCH", "/auth/sessions/{sid}"),
    ("PUT", "/me"), ("POST", "/me"), ("DELETE", "/me"),
]


@pytest.mark.parametrize("method,path", WRONG_METHODS, ids=[f"{m} {p}" for m, p in WRONG_METHODS])
def test_wrong_methods_are_json_405(client, account, method, path):
    response = client.open(f"{API}{path.format(sid=account.session_id)}", method=method,
                           headers=account.headers, json={})
    assert_error(response, 405)


def test_a_405_says_which_methods_are_allowed(client):
    """RFC 9110 §15.5.6: a 405 must carry an Allow header."""
    response = client.get(f"{API}/auth/login")
    assert_error(response, 405)
    allowed = {m.strip() for m in response.headers.get("Allow", "").split(",") if m.strip()}
    assert "POST" in allowed, dict(response.headers)


# --- query parameters of every read route ---------------------------------------------------
# NUL and bytes that are not UTF-8 (a lone surrogate comes as its CESU-8 bytes) cannot be
# stored or compared by PostgreSQL: 400 naming the parameter, before any view runs. A
# query string longer than any request needs is 414. A value longer than the parameter
# allows is 422 naming it (page_size is the exception: larger is clamped, see above).

MOVIE_FILTERS = ("page", "page_size", "q", "genre", "year", "year_from", "year_to",
                 "min_rating", "language", "sort")
READ_ROUTES = {
    "/movies": MOVIE_FILTERS,
    "/movies/search": ("q", "page", "page_size"),
    "/movies/popular": ("page", "page_size"),
    "/movies/top-rated": ("page", "page_size"),
    "/movies/now-playing": ("page", "page_size"),
    "/movies/upcoming": ("page", "page_size"),
    "/movies/trending": ("page", "page_size", "window"),
    "/movies/550": ("x",),
    "/movies/550/recommendations": ("page", "page_size"),
    "/movies/550/similar": ("page", "page_size"),
    "/genres": ("x",),
    "/genres/18/movies": MOVIE_FILTERS,
    "/auth/sessions": ("page", "page_size"),
    "/me": ("x",),
    "/admin/dead-letters": ("page", "page_size"),
}
UNSTORABLE_QUERY = {"nul": "a%00b", "nul-alone": "%00", "surrogate": "%ED%A0%80",
                    "surrogate-low": "x%ED%B0%80", "not-utf8": "%FF%FE"}
QUERY_CASES = [(route, param, kind) for route, params in READ_ROUTES.items()
               for param in params for kind in [*UNSTORABLE_QUERY, "oversized", "too-long"]
               if not (kind == "too-long" and (param in ("page_size", "x")))]


@pytest.fixture(scope="module")
def read_headers(app, account) -> dict[str, dict[str, str]]:
    from tests.support.api_client import account_headers
    return {"/auth/sessions": account.headers, "/me": account.headers,
            "/admin/dead-letters": account_headers(app, "admin")}


def _query(route: str, param: str, value: str) -> str:
    required = "q=river&" if route == "/movies/search" and param != "q" else ""
    return f"{required}{param}={value}"


@pytest.mark.parametrize("route,param,kind", QUERY_CASES,
                         ids=[f"{r}-{p}-{k}" for r, p, k in QUERY_CASES])
def test_bad_query_values_on_every_read_route_are_4xx(client, read_headers, route, param,
                                                       kind):
    if kind in UNSTORABLE_QUERY:
        value, status, fields = UNSTORABLE_QUERY[kind], 400, (param,)
    elif kind == "oversized":
        value, status, fields = "9" * HUGE, 414, ()
    else:
        value, status, fields = "9" * 500, 422, ()
    response = client.get(f"{API}{route}", query_string=_query(route, param, value),
                          headers=read_headers.get(route, {}))
    body = assert_error(response, status, fields)
    if status == 422:  # a repeatable parameter is named by position ("genre.0")
        assert _names(body["errors"], param), body


def test_unstorable_characters_in_a_parameter_name_are_400(client):
    response = client.get(f"{API}/movies", query_string="a%00b=1")
    assert_error(response, 400, ("ab",))


def test_the_issues_nul_queries_are_400_not_500(client):
    for path in ("/movies?q=%00", "/movies/search?q=a%00b"):
        assert_error(client.get(f"{API}{path}"), 400, ("q",))


def test_a_value_postgresql_refuses_is_400_not_500(settings):
    """DataError (here: a bad cast) maps to 400 wherever it comes from."""
    from sqlalchemy import text

    from api import create_app
    from movienexus.bootstrap import Container
    app = create_app(container=Container(settings))

    def cast_badly():
        with app.extensions["movienexus"].engine.connect() as conn:
            conn.execute(text("SELECT CAST(:v AS integer)"), {"v": "not-a-number"})

    app.add_url_rule("/api/v1/__data-error", "data_error", cast_badly)
    response = app.test_client().get(f"{API}/__data-error")
    body = assert_error(response, 400)
    assert "not-a-number" not in response.get_data(as_text=True)
    assert "integer" not in body["message"]


@pytest.mark.parametrize("email", ["a,b@x.io", '<>"@x.io', "a;b@x.io", '"a b"@x.io',
                                   "Ada <ada@x.io>", "a@b@x.io", "ada@x.io,eve@y.io"])
@pytest.mark.parametrize("path", ["/auth/register", "/auth/password/reset"])
def test_addresses_that_are_not_one_mailbox_are_refused(client, path, email):
    body = {"email": email, "password": PASSWORD} if path == "/auth/register" \
        else {"email": email}
    assert_client_error(client.post(f"{API}{path}", json=body), "email")
