"""gzip for JSON bodies over 1 KB when the client accepts it (flask-compress is not a
dependency: this is the part of it the API needs)."""
from __future__ import annotations

import gzip

from flask import Flask, Response, request

MIN_SIZE = 1024
LEVEL = 5


def _wants_gzip(response: Response) -> bool:
    return ("gzip" in request.headers.get("Accept-Encoding", "")   # cheap test first
            and 200 <= response.status_code < 300 and not response.direct_passthrough
            and "Content-Encoding" not in response.headers
            and request.accept_encodings.quality("gzip") > 0)


def install(app: Flask) -> None:
    @app.after_request
    def compress(response: Response) -> Response:
        if response.mimetype != "application/json":
            return response
        response.headers.add("Vary", "Accept-Encoding")
        if not _wants_gzip(response):
            return response
        data = response.get_data()
        if len(data) >= MIN_SIZE:
            response.set_data(gzip.compress(data, compresslevel=LEVEL))
            response.headers["Content-Encoding"] = "gzip"
        return response
