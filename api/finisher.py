"""The one response finisher: every answer, from the Flask app or the hot reads
(api/hot_reads.py), leaves through `Finisher.finish`, which gives it

- its X-Request-ID (the caller's when it is 8-64 of [A-Za-z0-9._-], else a new one);
- 304 and no body when it carries an ETag that If-None-Match names (with the Vary it
  would have had);
- gzip for a JSON body over 1 KB when the client accepts it (Vary: Accept-Encoding);
- `X-Content-Type-Options: nosniff`;
- `Cache-Control: no-store` and `Pragma: no-cache` when it may carry a token or a
  person's own data: the answer to a write (login, refresh and register among them)
  or to a request with an Authorization header; `Cache-Control: private, no-cache`
  instead when such an answer has an ETag (a person's own lists): no shared cache
  keeps it, and a browser's copy is revalidated every time (a 304 when unchanged);
- the CORS headers of flask-cors's own computation, only when the request came with an
  Origin header (browsers send one on every cross-origin request), errors included."""
from __future__ import annotations

import os
import re

from flask import Flask, Response, g, request
from flask_cors.core import get_cors_headers, get_cors_options
from werkzeug.datastructures import EnvironHeaders, Headers
from werkzeug.http import parse_accept_header, parse_etags

from api import compression

REQUEST_ID_KEY = "movienexus.request_id"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
CORS_PREFIX = "/api/"
EXPOSED = ["X-Consistency-Token", "X-Consistency", "X-Request-ID", "Retry-After", "ETag"]
_ENTITY = ("Content-Type", "Content-Length", "Content-Encoding")


def request_id(environ: dict) -> str:
    """The request's id, chosen once per request (the error bodies and events use it)."""
    found = environ.get(REQUEST_ID_KEY)
    if found is None:
        incoming = environ.get("HTTP_X_REQUEST_ID", "")
        found = incoming if _REQUEST_ID.match(incoming) else os.urandom(16).hex()
        environ[REQUEST_ID_KEY] = found
    return found


class Finisher:
    def __init__(self, app: Flask, cors_origins: list[str]):
        self.cors = get_cors_options(app, {"origins": cors_origins,
                                           "expose_headers": EXPOSED})

    def finish(self, environ: dict, status: int, headers: Headers,
               body: bytes | None) -> tuple[int, bytes | None]:
        """(status, body) to send; `headers` is finished in place. A body of None is not
        JSON, or a stream: it is sent as it is."""
        if body is not None:
            headers.add("Vary", "Accept-Encoding")
            if status == 200 and self._not_modified(environ, headers):
                status, body = 304, b""
                for name in _ENTITY:
                    headers.remove(name)
            else:
                body = self._encoded(environ, status, headers, body)
        headers["X-Request-ID"] = request_id(environ)
        headers["X-Content-Type-Options"] = "nosniff"
        if "HTTP_AUTHORIZATION" in environ or environ["REQUEST_METHOD"] not in SAFE_METHODS:
            self._uncached(headers)
        if "HTTP_ORIGIN" in environ and environ.get("PATH_INFO", "").startswith(CORS_PREFIX):
            self._cors(environ, headers)
        return status, body

    @staticmethod
    def _not_modified(environ: dict, headers: Headers) -> bool:
        etag = headers.get("ETag")
        match = environ.get("HTTP_IF_NONE_MATCH")
        return bool(etag and match) and parse_etags(match).contains_weak(etag[3:-1])

    @staticmethod
    def _encoded(environ: dict, status: int, headers: Headers, body: bytes) -> bytes:
        accept = environ.get("HTTP_ACCEPT_ENCODING", "")
        if "gzip" not in accept or not 200 <= status < 300 or len(body) < compression.MIN_SIZE \
                or "Content-Encoding" in headers \
                or parse_accept_header(accept).quality("gzip") <= 0:
            return body
        etag = headers.get("ETag")
        body = compression.gzipped(body, etag[3:-1] if etag else None)
        headers["Content-Encoding"] = "gzip"
        headers["Content-Length"] = str(len(body))
        return body

    @staticmethod
    def _uncached(headers: Headers) -> None:
        if "ETag" in headers:
            headers["Cache-Control"] = "private, no-cache"
        else:
            headers["Cache-Control"] = "no-store"
            headers["Pragma"] = "no-cache"

    def _cors(self, environ: dict, headers: Headers) -> None:
        found = get_cors_headers(self.cors, EnvironHeaders(environ),
                                 environ.get("REQUEST_METHOD", "GET"))
        for name, value in found.items(multi=True):
            headers.add(name, str(value))


def install(app: Flask, finisher: Finisher) -> None:
    """The Flask app's answers leave through `finisher` (registered first, so that it
    runs after every other after_request hook)."""
    app.extensions["movienexus.finisher"] = finisher

    @app.before_request
    def assign_request_id() -> None:
        g.request_id = request_id(request.environ)

    @app.after_request
    def finish(response: Response) -> Response:
        json = response.mimetype == "application/json" and not response.direct_passthrough
        body = response.get_data() if json else None
        status, finished = finisher.finish(request.environ, response.status_code,
                                           response.headers, body)
        if status != response.status_code:
            response.status_code = status
        if finished is not body:
            response.set_data(finished)
        return response
