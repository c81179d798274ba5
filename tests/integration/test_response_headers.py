"""What every answer carries, from the one response finisher (api/finisher.py), on both
paths: the hot reads and the Flask app (asked with the test-only FLASK_ONLY key), for
successes and errors alike."""
from __future__ import annotations

import logging

import pytest
from prometheus_client import REGISTRY

from api import create_app, hot_reads
from tests.support.api_client import API, login_response, new_client, register
from tests.support.fixtures_tmdb import tmdb_server  # noqa: F401
from tests.support.hot_paths import (app, assert_same, both, get, movie_id,  # noqa: F401
                                     reader, world)

ALLOWED = "http://localhost:3000"
NOSNIFF = ("X-Content-Type-Options", "nosniff")
UNCACHED = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def public_reads(movie_id: int) -> list[str]:  # noqa: F811
    return [f"/movies/{movie_id}", "/movies/popular?page=2", "/movies/trending"]


def errors() -> list[str]:
    return ["/movies/0", "/movies/popular?page=0", "/me", "/me/favorites?page=x",
            "/no-such-thing", "/movies/2147483648"]


def test_every_answer_says_nosniff_on_both_paths(app, reader, movie_id):  # noqa: F811
    for path in [*public_reads(movie_id), *errors(), "/genres", "/me/stats"]:
        headers = reader.headers if path == "/me/stats" else {}
        for answer in both(app, path, headers):
            assert NOSNIFF in answer.headers.items(), (path, answer.status_code)
    assert get(app, f"/movies/{movie_id}").hot
    assert NOSNIFF in new_client(app).post(f"{API}/auth/login", json={}).headers.items()
    assert NOSNIFF in new_client(app).get("/metrics").headers.items()


def test_cors_headers_come_only_with_an_origin_errors_included(app, movie_id):  # noqa: F811
    for path in [*public_reads(movie_id), *errors()]:
        for answer in both(app, path):
            cors = [name for name in answer.headers.keys() if name.startswith("Access-")]
            assert cors == [], (path, answer.status_code, cors)
        hot, flask = both(app, path, {"Origin": ALLOWED})
        assert hot.headers["Access-Control-Allow-Origin"] == ALLOWED, path
        assert_same(hot, flask, hot_answers=hot.hot)
    posted = new_client(app).post(f"{API}/auth/login", json={"email": "x"})
    assert posted.status_code >= 400 and "Access-Control-Allow-Origin" not in posted.headers


def test_an_answer_with_tokens_is_never_stored(app):
    client = new_client(app)
    user = register(client)
    login = login_response(client, user["email"])
    refresh = client.post(f"{API}/auth/refresh", headers={
        "Authorization": f"Bearer {login.get_json()['refresh_token']}"})
    assert refresh.status_code == 200 and "access_token" in refresh.get_json()
    for answer in (login, refresh):
        assert {name: answer.headers.get(name) for name in UNCACHED} == UNCACHED
    registered = client.post(f"{API}/auth/register", json={"email": "bad"})
    assert registered.headers["Cache-Control"] == "no-store"


def test_a_persons_own_reads_are_private_and_still_revalidate(app, reader):  # noqa: F811
    for path in ("/me/favorites", "/me/watchlist", "/me/stats"):
        hot, flask = both(app, path, reader.headers)
        assert_same(hot, flask)
        assert hot.headers["Cache-Control"] == "private, no-cache" and "Pragma" not in hot.headers
        etag = {**reader.headers, "If-None-Match": hot.headers["ETag"]}
        again, again_flask = both(app, path, etag)
        assert_same(again, again_flask)
        assert again.status_code == 304 and again.headers["Cache-Control"] == "private, no-cache"
    me, me_flask = both(app, "/me", reader.headers)     # no ETag: nothing to revalidate
    assert_same(me, me_flask)
    assert {name: me.headers.get(name) for name in UNCACHED} == UNCACHED


def test_public_reads_say_nothing_of_caching(app, movie_id):  # noqa: F811
    for path in public_reads(movie_id):
        hot, flask = both(app, path)
        assert_same(hot, flask)
        assert "Cache-Control" not in hot.headers and "Pragma" not in hot.headers


def test_a_detail_with_the_callers_me_is_private(app, reader, movie_id):  # noqa: F811
    answer = get(app, f"/movies/{movie_id}", reader.headers)
    assert not answer.hot and "me" in answer.get_json()
    assert answer.headers["Cache-Control"] == "private, no-cache"


@pytest.mark.parametrize("option, value", [("JWT_DECODE_AUDIENCE", "elsewhere"),
                                           ("JWT_DECODE_ISSUER", "someone-else")])
def test_both_paths_honour_flask_jwt_extendeds_decode_options(world, reader, option,  # noqa: F811
                                                              value):
    strict = create_app(container=world.container)
    strict.config[option] = value
    for path in ("/me", "/me/favorites"):
        hot, flask = both(strict, path, reader.headers)
        assert_same(hot, flask, hot_answers=False)
        assert hot.status_code == 401


def test_a_hot_read_that_raises_falls_through_logged_and_counted(app, monkeypatch,  # noqa: F811
                                                                 caplog):
    def count() -> float:
        return REGISTRY.get_sample_value("hot_read_fallthroughs_total",
                                         {"reason": "ZeroDivisionError"}) or 0

    def broken(_args):
        raise ZeroDivisionError("a defect in the hot path")
    before = count()
    monkeypatch.setattr(hot_reads, "page_args", broken)
    with caplog.at_level(logging.WARNING, logger="api.hot_reads"):
        answer = get(app, "/movies/popular?page=3")
    assert answer.status_code == 200 and not answer.hot
    assert count() == before + 1
    assert any("ZeroDivisionError" in r.getMessage() and r.levelno == logging.WARNING
               for r in caplog.records)
    exposed = new_client(app).get("/metrics").get_data(as_text=True)
    assert 'hot_read_fallthroughs_total{reason="ZeroDivisionError"}' in exposed
