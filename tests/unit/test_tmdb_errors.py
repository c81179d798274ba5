"""TMDb error bodies map to typed errors; no I/O."""
from __future__ import annotations

import datetime as dt
from email.utils import format_datetime

import pytest

from adapters.tmdb.errors import (
    TmdbBadRequest, TmdbError, TmdbNotFound, TmdbRateLimited, TmdbUnauthorized,
    TmdbUnavailable, error_from_response)
from adapters.tmdb.metrics import endpoint_label
from adapters.tmdb.wire import (
    api_path, api_root, dotted_filters, query_params, redact, retry_after_seconds)


def body(code: int, message: str) -> dict:
    return {"success": False, "status_code": code, "status_message": message}


@pytest.mark.parametrize(("status", "code", "expected"), [
    (404, 34, TmdbNotFound),
    (404, 6, TmdbNotFound),
    (401, 7, TmdbUnauthorized),
    (401, 3, TmdbUnauthorized),
    (429, 25, TmdbRateLimited),
    (400, 22, TmdbBadRequest),
    (400, 27, TmdbBadRequest),
    (422, 20, TmdbBadRequest),
    (500, 11, TmdbUnavailable),
    (503, 9, TmdbUnavailable),
    (418, 99, TmdbError),
])
def test_status_and_code_pick_the_error_type(status, code, expected):
    error = error_from_response(status, body(code, "some message"), path="/3/movie/1")

    assert type(error) is expected
    assert (error.status, error.tmdb_code, error.path) == (status, code, "/3/movie/1")
    assert "some message" in error.message and str(error) == error.message


def test_not_found_keeps_tmdb_message():
    error = error_from_response(
        404, body(34, "The resource you requested could not be found."), path="/3/movie/9")

    assert isinstance(error, TmdbNotFound)
    assert "could not be found" in str(error) and "/3/movie/9" in str(error)


def test_unauthorized_tells_the_operator_which_variables_to_set():
    error = error_from_response(
        401, body(7, "Invalid API key: You must be granted a valid key."))

    assert isinstance(error, TmdbUnauthorized)
    assert "Invalid API key" in error.message
    assert "TMDB_API_KEY" in error.message and "TMDB_READ_TOKEN" in error.message


def test_rate_limited_carries_retry_after():
    error = error_from_response(429, body(25, "over the limit"), retry_after=3.0)

    assert isinstance(error, TmdbRateLimited) and error.retry_after == 3.0


@pytest.mark.parametrize("payload", [None, "<html>Bad gateway</html>", [], {"oops": 1},
                                     {"status_code": "7", "status_message": 5}])
def test_a_body_that_is_not_tmdbs_still_maps_by_status(payload):
    error = error_from_response(502, payload)

    assert isinstance(error, TmdbUnavailable)
    assert error.tmdb_code is None and "HTTP 502" in error.message


def test_tmdb_code_decides_when_the_status_is_unusual():
    assert isinstance(error_from_response(200, body(34, "gone")), TmdbNotFound)
    assert isinstance(error_from_response(403, body(3, "denied")), TmdbUnauthorized)


def test_every_error_is_a_tmdb_error():
    for cls in (TmdbNotFound, TmdbBadRequest, TmdbRateLimited, TmdbUnavailable):
        assert issubclass(cls, TmdbError)
    assert issubclass(TmdbUnauthorized, TmdbError)


@pytest.mark.parametrize(("raw", "seconds"), [("2", 2.0), ("0.5", 0.5), ("-3", 0.0),
                                              (None, None), ("", None), ("soon", None)])
def test_retry_after_in_seconds(raw, seconds):
    assert retry_after_seconds(raw) == seconds


def test_retry_after_as_http_date():
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=30)

    assert 25 <= retry_after_seconds(format_datetime(later, usegmt=True)) <= 30


def test_paths_and_query_rendering():
    assert api_root("https://api.themoviedb.org/3/") == "https://api.themoviedb.org"
    assert api_path("movie/550") == api_path("/3/movie/550") == "/3/movie/550"
    assert query_params({"page": 2, "adult": False, "year": None,
                         "with_genres": (28, 12), "day": dt.date(2024, 1, 31)}) == {
        "page": "2", "adult": "false", "with_genres": "28,12", "day": "2024-01-31"}
    assert dotted_filters({"vote_count_gte": 10, "sort_by": "x"}) == {
        "vote_count.gte": 10, "sort_by": "x"}


def test_redact_hides_the_api_key():
    text = "Max retries exceeded with url: /3/movie/1?api_key=s3cret&page=1"

    assert "s3cret" not in redact(text) and "api_key=***&page=1" in redact(text)


def test_endpoint_labels_hide_ids_but_keep_the_version():
    assert endpoint_label("/3/movie/550/similar") == "/3/movie/{id}/similar"
    assert endpoint_label("/3/movie/550") == "/3/movie/{id}"
    assert endpoint_label("/3/movie/popular") == "/3/movie/popular"
