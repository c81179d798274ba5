"""Responses made of ready-to-send JSON: no per-request serialization of movies.
A weak ETag (the body's hash) lets a client revalidate with If-None-Match (304)."""
from __future__ import annotations

import hashlib
import json
import math

from flask import Response, request

from read_models.catalog_queries import Page


def json_document(body: bytes) -> Response:
    response = Response(body, mimetype="application/json")
    response.set_etag(hashlib.blake2b(body, digest_size=12).hexdigest(), weak=True)
    return response.make_conditional(request)


def page_document(page: Page, number: int, size: int) -> Response:
    """The list envelope, joined around the stored card strings."""
    meta = json.dumps({"page": number, "page_size": size, "total": page.total,
                       "total_pages": math.ceil(page.total / size) if page.total else 0},
                      separators=(",", ":"))
    body = b'{"items":[' + b",".join(page.cards) + b"]," + meta[1:].encode()
    return json_document(body)
