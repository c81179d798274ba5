"""Responses made of ready-to-send JSON: no per-request serialization of movies.
A weak ETag (the body's hash) lets a client revalidate with If-None-Match (304)."""
from __future__ import annotations

import hashlib
import json

from flask import Response

from api.schemas.common import page_meta
from read_models.queries.catalog_queries import Page


def etag_of(body: bytes) -> str:
    return hashlib.blake2b(body, digest_size=12).hexdigest()


def etag_header(body: bytes) -> str:
    return f'W/"{etag_of(body)}"'


def json_document(body: bytes) -> Response:
    """The body with its ETag (api/finisher.py answers 304 when If-None-Match names it)."""
    response = Response(body, mimetype="application/json")
    response.headers["ETag"] = etag_header(body)
    return response


def page_body(page: Page, number: int, size: int) -> bytes:
    """The list envelope, joined around the stored card strings."""
    meta = json.dumps(page_meta(number, size, page.total), separators=(",", ":"))
    return b'{"items":[' + b",".join(page.cards) + b"]," + meta[1:].encode()


def page_document(page: Page, number: int, size: int) -> Response:
    return json_document(page_body(page, number, size))
