"""Query strings PostgreSQL cannot store or compare are refused before any view runs:
a NUL, bytes that are not UTF-8 (a lone surrogate arrives that way), or a query
string longer than any request of this API needs."""
from __future__ import annotations

from urllib.parse import unquote_to_bytes

from flask import Flask, request
from flask_smorest import abort

MAX_QUERY_BYTES = 4096
NOT_ALLOWED = "Contains characters that are not allowed (NUL, or bytes that are not UTF-8)."


def unstorable_parameter(query_string: bytes) -> str | None:
    """The name of the first parameter whose name or value cannot be stored."""
    for pair in query_string.split(b"&"):
        name, _, value = pair.partition(b"=")
        for part in (name, value):
            raw = unquote_to_bytes(part.replace(b"+", b" "))
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                return _printable(name)
            if "\x00" in text:
                return _printable(name)
    return None


def _printable(name: bytes) -> str:
    text = unquote_to_bytes(name).decode("utf-8", "replace").replace("\x00", "")
    return text[:64] or "_query"


def install(app: Flask) -> None:
    @app.before_request
    def refuse_unstorable_query():
        query = request.query_string
        if not query:
            return
        if len(query) > MAX_QUERY_BYTES:
            abort(414, message=f"The query string is longer than {MAX_QUERY_BYTES} bytes.")
        name = unstorable_parameter(query)
        if name is not None:
            abort(400, message="The request is not valid; see errors.",
                  errors={name: [NOT_ALLOWED]})
