"""CORS by flask-cors, run only for requests that carry an Origin header.

Browsers send Origin on every cross-origin request (and preflight); a request
without one needs no CORS headers, so servers, scripts and same-origin callers
skip flask-cors's per-request matching (~90 µs, a fifth of a cached read)."""
from __future__ import annotations

from flask import Flask, request
from flask_cors import CORS
from werkzeug.datastructures import EnvironHeaders

EXPOSED = ["X-Consistency-Token", "X-Consistency", "X-Request-ID", "Retry-After", "ETag"]


def install(app: Flask, origins: list[str]) -> None:
    before = len(app.after_request_funcs.setdefault(None, []))
    app.extensions["movienexus.cors"] = {"origins": origins, "expose_headers": EXPOSED}
    CORS(app, resources={r"/api/*": {"origins": origins}}, expose_headers=EXPOSED)
    added = app.after_request_funcs[None][before:]
    del app.after_request_funcs[None][before:]
    for hook in added:
        app.after_request(_only_with_origin(hook))


def _only_with_origin(hook):
    def cors_when_asked(response):
        return hook(response) if "Origin" in request.headers else response
    return cors_when_asked


class HotCors:
    """The CORS headers flask-cors would add to a GET of /api/*, for the hot reads
    (api/hot_reads.py): flask-cors's own computation, from the options it was given."""

    def __init__(self, app: Flask):
        from flask_cors.core import get_cors_options
        self.options = get_cors_options(app, app.extensions["movienexus.cors"])

    def headers(self, environ: dict) -> list[tuple[str, str]]:
        from flask_cors.core import get_cors_headers
        found = get_cors_headers(self.options, EnvironHeaders(environ), "GET")
        return [(name, str(value)) for name, value in found.items(multi=True) if value]
