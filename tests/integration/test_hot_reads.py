"""The hot reads (api/hot_reads.py) answer exactly what the Flask app answers: for each
request both are asked (the Flask app by a test-only environ key no HTTP request can
set) and status, every header and the body must be equal. Each parity test also
checks that the hot path, not the Flask app, answered the first; the declines check
that requests outside the plain success reach the Flask app and get its answer. The
routes are those the app's resources mark `@hot`, read from the app itself."""
from __future__ import annotations

import gzip

import pytest
from prometheus_client import REGISTRY

from api.hot_reads import FLASK_ONLY, hot_routes
from domain.catalog.vocabulary import LIST_NAMES, list_path
from tests.support.fixtures_tmdb import tmdb_server  # noqa: F401
from tests.support.hot_paths import (API, app, assert_same, both, complete_movies,  # noqa: F401
                                     get, movie_id, reader, world)
from tests.support.library import person
from tests.support.util import eventually

ORIGIN_ALLOWED = "http://localhost:3000"


def paths_of(movie_id: int) -> list[str]:
    return [f"/movies/{movie_id}", "/movies/popular", "/movies/popular?page=2",
            "/movies/top-rated?page_size=5", "/movies/now-playing?page=1&page_size=3",
            "/movies/upcoming?page_size=500", "/movies/trending",
            "/movies/trending?window=week&page=2", "/movies/popular?page=99999"]


def test_every_route_marked_hot_is_answered_as_the_flask_app_answers_it(app, reader,
                                                                         movie_id):
    """Each hot route of the app, asked with a sample of its path values and query; a
    search is asked once of the Flask app first (only a search asked before is hot)."""
    routes = hot_routes(app)
    assert len(routes) >= 11
    for endpoint, route in routes.items():
        path = route.rule.removeprefix(API).replace("<int:tmdb_id>", str(movie_id))
        if "q" in route.read.query:
            path += "?q=night"
        headers = reader.headers if path.startswith("/me") else {}
        eventually(lambda: get(app, path, headers).status_code == 200 and
                   both(app, path, headers)[0].get_data() == both(app, path, headers)[1]
                   .get_data())
        hot, flask = both(app, path, headers)
        assert hot.hot, endpoint
        assert_same(hot, flask)


def test_every_list_of_the_domain_is_a_hot_route_flask_answers(app):
    rules = {route.rule for route in hot_routes(app).values()}
    for name in LIST_NAMES:
        if not name.startswith("trending"):
            assert f"{API}/movies/{list_path(name)}" in rules, name
            assert app.test_client().get(
                f"{API}/movies/{list_path(name)}", environ_overrides={FLASK_ONLY: True}
            ).status_code == 200
    assert f"{API}/movies/trending" in rules


@pytest.mark.parametrize("n", range(9))
def test_catalog_reads_are_answered_as_the_flask_app_answers_them(app, movie_id, n):
    assert_same(*both(app, paths_of(movie_id)[n]))


def test_a_hot_read_is_counted_in_the_latency_histogram_under_flasks_rule(app, movie_id):
    def count(rule: str) -> float:
        return REGISTRY.get_sample_value("http_request_duration_seconds_count", {
            "method": "GET", "endpoint": rule, "status": "200"}) or 0
    for path, rule in ((f"/movies/{movie_id}", f"{API}/movies/<int:tmdb_id>"),
                       ("/movies/popular?page=2", f"{API}/movies/popular")):
        before = count(rule)
        assert get(app, path).hot
        assert count(rule) == before + 1


@pytest.mark.parametrize("headers", [
    {"Accept-Encoding": "gzip, deflate, br"},
    {"Accept-Encoding": "gzip;q=0"},
    {"Origin": ORIGIN_ALLOWED},
    {"Origin": "https://elsewhere.example"},
    {"Origin": ORIGIN_ALLOWED, "Accept-Encoding": "gzip"},
    {"X-Request-ID": "no"},
])
def test_gzip_cors_and_request_ids_are_the_flask_apps(app, headers):
    hot, flask = both(app, "/movies/popular", headers)
    if headers.get("X-Request-ID") == "no":     # a fresh id each, both well-formed
        assert hot.headers["X-Request-ID"] != flask.headers["X-Request-ID"]
        assert len(hot.headers["X-Request-ID"]) == 32
        hot.headers["X-Request-ID"] = flask.headers["X-Request-ID"]
    assert_same(hot, flask)
    if headers.get("Accept-Encoding") == "gzip, deflate, br":
        assert hot.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(hot.get_data())[:9] == b'{"items":'


def test_a_matching_etag_is_answered_304_and_a_stale_one_200(app, movie_id):
    etag = app.test_client().get(f"{API}/movies/{movie_id}").headers["ETag"]
    assert_same(*both(app, f"/movies/{movie_id}", {"If-None-Match": etag}))
    hot, _ = both(app, f"/movies/{movie_id}", {"If-None-Match": etag})
    assert hot.status_code == 304 and hot.get_data() == b""
    stale, flask = both(app, f"/movies/{movie_id}", {"If-None-Match": 'W/"0000"'})
    assert_same(stale, flask)
    assert stale.status_code == 200


def test_a_search_asked_before_is_answered_hot(app):
    first = get(app, "/movies/search?q=river")
    assert first.status_code == 200 and not first.hot

    def same() -> bool:     # the first ask may have imported movies still being projected
        hot, flask = both(app, "/movies/search?q=river")
        assert hot.hot
        return hot.get_data() == flask.get_data()
    eventually(same)
    assert_same(*both(app, "/movies/search?q=river"))
    assert not get(app, "/movies/search?q=River+river&page_size=5").hot   # not asked before


@pytest.mark.parametrize("path", ["/me", "/me/favorites", "/me/watchlist", "/me/stats",
                                  "/me/favorites?page_size=1&page=2"])
def test_a_persons_own_reads_are_answered_as_the_flask_app_answers_them(app, reader, path):
    get(app, path, reader.headers)      # the reader's writes are in: neither waits
    assert_same(*both(app, path, reader.headers))
    assert_same(*both(app, path, {**reader.headers, "Origin": ORIGIN_ALLOWED}))


def test_a_read_right_after_a_write_waits_for_it_and_says_fresh(app, world, reader):
    movie = complete_movies(app, world.container, 5)[4]
    reader.ok(reader.put(f"/me/favorites/{movie}", {"rating": 10}), 201)
    hot = get(app, "/me/favorites", reader.headers)
    assert hot.hot
    assert hot.headers.get("X-Consistency") in ("fresh", None)
    assert hot.get_json()["items"][0]["movie"]["tmdb_id"] == movie
    assert reader.delete(f"/me/favorites/{movie}").status_code == 204
    again = get(app, "/me/favorites", reader.headers)
    assert movie not in [i["movie"]["tmdb_id"] for i in again.get_json()["items"]]


@pytest.mark.parametrize("path", [
    "/movies/popular?page=0", "/movies/popular?page_size=abc", "/movies/popular?page=1&page=2",
    "/movies/trending?window=year", "/movies/popular?sort=title", "/movies/0",
    "/movies/2147483648", "/movies/search?q=", "/movies/search?q=%00",
    "/movies/popular?page=%FF",
])
def test_what_is_not_a_plain_success_is_the_flask_apps_answer(app, path):
    assert_same(*both(app, path), hot_answers=False)


@pytest.mark.parametrize("path", ["/me", "/me/favorites", "/me/stats"])
def test_a_person_without_a_live_token_gets_the_flask_apps_401(app, reader, path):
    for headers in ({}, {"Authorization": "Bearer not-a-token"},
                    {"Authorization": reader.headers["Authorization"] + "x"},
                    {"Authorization": "Basic " + reader.access}):
        hot, flask = both(app, path, headers)
        assert_same(hot, flask, hot_answers=False)
        assert hot.status_code == 401


def test_a_revoked_session_is_refused_at_once(app):
    gone = person(app)
    assert get(app, "/me", gone.headers).hot
    assert gone.client.post(f"{API}/auth/logout", headers=gone.headers).status_code == 204
    refused = get(app, "/me", gone.headers)
    assert refused.status_code == 401 and not refused.hot


def test_a_detail_asked_with_a_token_carries_the_callers_me(app, reader, movie_id):
    reader.get(f"/movies/{movie_id}")    # an own read: waits for the reader's writes once
    hot, flask = both(app, f"/movies/{movie_id}", reader.headers)
    assert_same(hot, flask, hot_answers=False)
    assert "me" in hot.get_json()

