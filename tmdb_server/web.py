"""Flask glue shared by the TMDb views and the control API."""
from __future__ import annotations

from flask import Response, current_app, jsonify

from .errors import TmdbError
from .state import ServerState

STATE_KEY = "tmdb_server"


def state() -> ServerState:
    """The state of the app serving the current request."""
    return current_app.extensions[STATE_KEY]


def error_response(error: TmdbError) -> Response:
    """TMDb's error body, HTTP status and headers (Retry-After on 429)."""
    response = jsonify(error.body())
    response.status_code = error.http_status
    response.headers.update(error.headers)
    return response
