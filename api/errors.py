"""One JSON shape for every error: code, status, message, errors (validation only),
request_id. Never a stack trace."""
from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

import psycopg
from flask import Flask, g, jsonify
from redis.exceptions import RedisError
from sqlalchemy.exc import DataError, OperationalError
from werkzeug.exceptions import HTTPException

from adapters.tmdb import TmdbError
from domain import errors as domain_errors

log = logging.getLogger(__name__)

DOMAIN_STATUS = {
    domain_errors.InvalidInput: 400,
    domain_errors.AuthenticationFailed: 401,
    domain_errors.Forbidden: 403,
    domain_errors.NotFound: 404,
    domain_errors.Conflict: 409,
}


def error_response(code: int, message: str | None = None,
                   errors: dict[str, list[str]] | None = None,
                   headers: dict[str, str] | None = None):
    status = HTTPStatus(code)
    body: dict[str, Any] = {"code": code, "status": status.phrase,
                            "message": message or status.description,
                            "request_id": getattr(g, "request_id", None)}
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = code
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def flatten_validation(messages: Any) -> dict[str, list[str]]:
    """webargs nests messages by location ({"json": {"email": [...]}}); the contract
    wants {field: [messages]}, with nested fields joined by dots."""
    flat: dict[str, list[str]] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            flat.setdefault(prefix or "_body", []).extend(value)
        else:
            flat.setdefault(prefix or "_body", []).append(str(value))

    for location, inner in (messages or {}).items():
        walk("" if isinstance(inner, dict) else location, inner)
    return flat


def handle_http_exception(error: HTTPException):
    code = error.code or 500
    data = getattr(error, "data", None) or {}
    errors = data.get("errors") or (
        flatten_validation(data.get("messages")) if "messages" in data else None)
    message = data.get("message") or _message_for(error, errors)
    headers = dict(data.get("headers") or {})
    headers.update({k: v for k, v in error.get_headers() if k == "Allow"})
    if code == 429:
        headers.setdefault("Retry-After", _retry_after())
    return error_response(code, message, errors, headers)


def _message_for(error: HTTPException, errors: dict | None) -> str:
    if errors:
        return "The request is not valid; see errors."
    if error.code == 429:
        return "Too many requests; wait a moment and try again."
    return error.description or HTTPStatus(error.code or 500).description


def _retry_after() -> str:
    from api.limits import retry_after_seconds
    return str(retry_after_seconds() or 60)


def handle_domain_error(error: domain_errors.DomainError):
    code = next(status for kind, status in DOMAIN_STATUS.items() if isinstance(error, kind))
    errors = {error.field: [error.message]} if error.field and code == 400 else None
    return error_response(code, error.message, errors)


def handle_dependency_down(error: Exception):
    name = "Redis" if isinstance(error, RedisError) else "PostgreSQL"
    log.warning("dependency down: %s: %r", name, error)
    return error_response(503, f"{name} is unavailable; try again shortly.",
                          headers={"Retry-After": "5"})


def handle_tmdb_down(error: TmdbError):
    """TMDb answered badly while a person waited (a movie or search we do not have):
    what we have is still served; this one request says TMDb is away."""
    log.warning("TMDb unavailable during a request: %s", error)
    return error_response(503, "TMDb is unavailable right now; try again shortly.",
                          headers={"Retry-After": "30"})


def handle_data_error(error: DataError):
    """A value PostgreSQL refused (out of range, not storable): the request's fault.
    The statement's parameters are hidden (hide_parameters), the text is not echoed."""
    log.info("database refused a value: %s", type(getattr(error, "orig", error)).__name__)
    return error_response(400, "The request has a value that cannot be used; check its "
                               "parameters.")


def handle_too_deep(error: RecursionError):
    return error_response(400, "The request is not valid; see errors.",
                          {"json": ["Invalid JSON body: nested too deeply."]})


def handle_unexpected(error: Exception):
    log.exception("unhandled error")
    return error_response(500, "Something went wrong on our side; it has been logged.")


def register(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(domain_errors.DomainError, handle_domain_error)
    app.register_error_handler(RedisError, handle_dependency_down)
    app.register_error_handler(OperationalError, handle_dependency_down)
    app.register_error_handler(DataError, handle_data_error)
    app.register_error_handler(psycopg.DataError, handle_data_error)
    app.register_error_handler(RecursionError, handle_too_deep)
    app.register_error_handler(TmdbError, handle_tmdb_down)
    app.register_error_handler(Exception, handle_unexpected)
