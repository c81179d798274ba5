"""gzip for JSON bodies over 1 KB when the client accepts it (flask-compress is not a
dependency: this is the part of it the API needs). A body with an ETag is compressed
once per process: the same document asked again is sent from a small LRU of its gzip
bytes (the hot reads and the Flask app share it)."""
from __future__ import annotations

import gzip
import threading
from collections import OrderedDict

from flask import Flask, Response, request

MIN_SIZE = 1024
LEVEL = 5
CACHED_BODIES = 512
_gzipped: OrderedDict[str, bytes] = OrderedDict()
_lock = threading.Lock()        # gunicorn's sync workers have one thread; others may not


def gzipped(body: bytes, etag: str | None = None) -> bytes:
    """The body's gzip bytes (mtime 0: the same body always compresses the same)."""
    if etag is None:
        return gzip.compress(body, compresslevel=LEVEL, mtime=0)
    with _lock:
        found = _gzipped.get(etag)
        if found is not None:
            _gzipped.move_to_end(etag)
            return found
    found = gzip.compress(body, compresslevel=LEVEL, mtime=0)
    with _lock:
        _gzipped[etag] = found
        if len(_gzipped) > CACHED_BODIES:
            _gzipped.popitem(last=False)
    return found


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
            etag, _weak = response.get_etag()
            response.set_data(gzipped(data, etag))
            response.headers["Content-Encoding"] = "gzip"
        return response
