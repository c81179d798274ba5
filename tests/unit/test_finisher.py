"""The one response finisher (api/finisher.py), on plain environs: what each answer gets."""
import gzip

import pytest
from flask import Flask
from werkzeug.datastructures import Headers

from api.finisher import Finisher, request_id

ALLOWED = "http://localhost:3000"
BODY = b'{"items":[' + b",".join([b'{"title":"a movie"}'] * 80) + b"]}"
ETAG = 'W/"abc123"'


def finished(method="GET", path="/api/v1/movies/popular", status=200, body=BODY,
             etag=True, **environ):
    headers = Headers([("Content-Type", "application/json")])
    if etag:
        headers["ETag"] = ETAG
    env = {"REQUEST_METHOD": method, "PATH_INFO": path, **environ}
    status, body = Finisher(Flask("t"), [ALLOWED]).finish(env, status, headers, body)
    return status, headers, body


@pytest.mark.parametrize("status", [200, 304, 400, 401, 404, 500])
def test_every_answer_says_nosniff_and_carries_a_request_id(status):
    _, headers, _ = finished(status=status, body=b"{}")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert len(headers["X-Request-ID"]) == 32


def test_a_well_formed_request_id_is_echoed_once_per_request():
    environ = {"HTTP_X_REQUEST_ID": "abc-123.XYZ_9"}
    assert request_id(environ) == "abc-123.XYZ_9" == request_id(environ)
    assert request_id({"HTTP_X_REQUEST_ID": "bad id!"}) != "bad id!"


def test_a_named_etag_is_a_304_without_a_body_but_with_its_vary():
    status, headers, body = finished(HTTP_IF_NONE_MATCH=ETAG)
    assert (status, body) == (304, b"")
    assert "Content-Type" not in headers and headers["ETag"] == ETAG
    assert headers["Vary"] == "Accept-Encoding"
    assert finished(HTTP_IF_NONE_MATCH='W/"other"')[0] == 200


def test_gzip_only_when_accepted_and_worth_it():
    _, headers, body = finished(HTTP_ACCEPT_ENCODING="gzip")
    assert headers["Content-Encoding"] == "gzip" and gzip.decompress(body) == BODY
    assert "Content-Encoding" not in finished(HTTP_ACCEPT_ENCODING="gzip;q=0")[1]
    assert "Content-Encoding" not in finished(HTTP_ACCEPT_ENCODING="gzip", body=b"{}")[1]
    assert "Content-Encoding" not in finished(HTTP_ACCEPT_ENCODING="gzip", status=404)[1]


@pytest.mark.parametrize("status", [200, 401, 404, 422, 500])
def test_cors_headers_only_with_an_origin(status):
    assert not [k for k, _ in finished(status=status)[1] if k.startswith("Access-")]
    headers = finished(status=status, HTTP_ORIGIN=ALLOWED)[1]
    assert headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "Access-Control-Allow-Origin" not in finished(
        status=status, HTTP_ORIGIN="https://elsewhere.example")[1]
    assert "Access-Control-Allow-Origin" not in finished(
        path="/metrics", HTTP_ORIGIN=ALLOWED)[1]


def test_what_may_carry_a_token_or_a_persons_data_is_not_stored():
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        headers = finished(method=method, etag=False)[1]
        assert (headers["Cache-Control"], headers["Pragma"]) == ("no-store", "no-cache")
    mine = finished(HTTP_AUTHORIZATION="Bearer x")[1]
    assert mine["Cache-Control"] == "private, no-cache" and "Pragma" not in mine
    assert finished(HTTP_AUTHORIZATION="Bearer x", etag=False)[1]["Cache-Control"] == \
        "no-store"
    assert "Cache-Control" not in finished()[1]
