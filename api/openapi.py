"""The OpenAPI document, kept true to what the API answers (schemathesis checks it).

- Every error has one body (`ErrorSchema`, built by api/errors.py) and, like every
  answer, an `X-Request-ID` header.
- The errors any operation can answer are added by rule (`SharedErrors`): 400 (bad input
  outside the schema: undecodable JSON, characters PostgreSQL cannot store, a malformed
  header), 503 (a dependency is down), 401 where a token is needed, 404 where the path
  names something, 413/415 where there is a body. The errors particular to one operation
  are declared on its view with `answers(...)`, and who must send a token with
  `authenticated` (or `optionally_authenticated`); every other operation is public
  (`security: []`, added by rule).
- Every operation has a stable, human operationId (`operation_id("getMovie")` on its
  view): a generated client's method names; tests/unit/test_openapi_contract.py keeps them.
"""
from __future__ import annotations

from http import HTTPStatus

import flask_smorest
from apispec import BasePlugin

from api.schemas.common import ErrorSchema
from read_models.queries.consistency import TOKEN_PATTERN as CONSISTENCY_TOKEN_PATTERN

REQUEST_ID = "X-Request-ID"
BEARER = "bearerAuth"

_SECONDS = {"type": "string", "pattern": "^[0-9]+$"}
HEADERS = {
    REQUEST_ID: {"description": "The request's id (the caller's X-Request-ID when it is "
                 "8-64 of [A-Za-z0-9._-], else a new one); logs and events carry it.",
                 "schema": {"type": "string"}, "required": True},
    "X-Consistency-Token": {"description": "Names this write's last event; send it back on "
                            "a read to see the write (absent when nothing changed).",
                            "schema": {"type": "string"}},
    "X-Consistency": {"description": "`fresh` when the read waited for a write (the "
                      "token's, or the caller's own last writes) and shows it; `stale` when "
                      "the token's write was not visible within the bounded wait; `unknown` "
                      "when the token names no write (answered at once).",
                      "schema": {"type": "string", "enum": ["fresh", "stale", "unknown"]}},
    "ETag": {"description": "Weak validator of the body; send it as If-None-Match.",
             "schema": {"type": "string"}, "required": True},
    "Retry-After": {"description": "Seconds to wait before trying again.", "schema": _SECONDS},
    "WWW-Authenticate": {"description": "`Bearer` when the token is missing or not valid.",
                         "schema": {"type": "string"}},
    "Deprecation": {"description": "Sent when the request used a deprecated form (RFC 9745: "
                    "`@` and the Unix time it was deprecated).", "schema": {"type": "string"}},
    "Sunset": {"description": "When the deprecated form stops working (RFC 8594, an "
               "HTTP-date).", "schema": {"type": "string"}},
}
WRITE_HEADERS = {"X-Consistency-Token": "X-Consistency-Token"}
ETAG_HEADERS = {"ETag": "ETag"}
CONSISTENT_READ_HEADERS = {"X-Consistency": "X-Consistency"}
_ERROR_HEADERS = {401: {"WWW-Authenticate": "WWW-Authenticate"},
                  429: {"Retry-After": {**HEADERS["Retry-After"], "required": True}},
                  503: {"Retry-After": "Retry-After"}}

DEPRECATION_HEADERS = {"Deprecation": "Deprecation", "Sunset": "Sunset"}
SECURITY_SCHEMES = {
    BEARER: {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
             "description": "The access token from /auth/login or /auth/refresh."},
}
SERVERS = [{"url": "/", "description": "The origin that serves this document."}]
LICENSE = {"name": "Proprietary: all rights reserved"}  # the project has no public licence

CONSISTENCY_TOKEN_PARAMETER = {
    "in": "header", "name": "X-Consistency-Token", "required": False,
    "description": "A write's X-Consistency-Token: the read answers once the read models "
                   "include that write, or after a bounded wait with X-Consistency: stale. "
                   "Empty means none; a value not of this form is a 400.",
    "schema": {"type": "string", "pattern": f"^$|{CONSISTENCY_TOKEN_PATTERN}"}}
IF_NONE_MATCH_PARAMETER = {
    "in": "header", "name": "If-None-Match", "required": False,
    "description": "ETags from earlier answers: 304 when the body is the one named.",
    "schema": {"type": "string"}}

MAX_INT32, MAX_INT64 = 2**31 - 1, 2**63 - 1


def path_id(name: str, maximum: int, description: str) -> list[dict]:
    """A numeric path parameter's documented range (outside it: 404)."""
    return [{"in": "path", "name": name, "description": description,
             "schema": {"type": "integer", "minimum": 1, "maximum": maximum}}]


_HEADER_PARAMETERS = "x-header-parameters"  # ours: SharedErrors appends them


def _document(**doc):
    """Note documentation on the view itself (no wrapper, so no cost per request):
    lists are appended, dicts merged; flask-smorest merges it into the operation."""
    def decorate(view):
        manual = view.__dict__.setdefault("_apidoc", {}).setdefault("manual_doc", {})
        for key, value in doc.items():
            if isinstance(value, list):
                manual[key] = [*manual.get(key, []), *value]
            elif isinstance(value, dict):
                manual[key] = {**manual.get(key, {}), **value}
            else:
                manual[key] = value
        return view
    return decorate


authenticated = _document(security=[{BEARER: []}])
# Public, but a token changes the answer (the movie detail's `me` block).
optionally_authenticated = _document(security=[{}, {BEARER: []}])


def operation_id(name: str):
    """The operation's stable name (a generated client's method name)."""
    return _document(operationId=name)


def answers(*codes: int):
    """Document the errors particular to this operation (shared ones come by rule)."""
    return _document(responses={str(code): HTTPStatus(code).name for code in codes})


def consistent():
    """A read that honours X-Consistency-Token."""
    return _document(**{_HEADER_PARAMETERS: [CONSISTENCY_TOKEN_PARAMETER]})


def etagged():
    """A read answered with an ETag, and 304 for a matching If-None-Match."""
    return _document(**{_HEADER_PARAMETERS: [IF_NONE_MATCH_PARAMETER]}, responses={"304": {
        "description": "Not Modified: the body would be the one named by If-None-Match.",
        "headers": {**ETAG_HEADERS, REQUEST_ID: REQUEST_ID}}})


class SharedErrors(BasePlugin):
    """Adds the errors every operation of a kind can answer, and X-Request-ID to its
    success answers."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        for operation in (operations or {}).values():
            operation.setdefault("security", [])
            operation.setdefault("parameters", []).extend(
                operation.pop(_HEADER_PARAMETERS, []))
            responses = {str(code): response
                         for code, response in operation.get("responses", {}).items()}
            for code in shared_error_codes(path or "", operation):
                responses.setdefault(str(code), HTTPStatus(code).name)
            for response in responses.values():
                if isinstance(response, dict):
                    response.setdefault("headers", {}).setdefault(REQUEST_ID, REQUEST_ID)
            operation["responses"] = responses


def shared_error_codes(path: str, operation: dict) -> list[int]:
    codes = [400, 503]
    if operation.get("security"):
        codes.append(401)
    if "{" in path:
        codes.append(404)
    if "requestBody" in operation:
        codes += [413, 415]
    return codes


class Api(flask_smorest.Api):
    """flask-smorest's Api with our error body, no catch-all `default` response (each
    operation lists what it answers), and headers on the error responses."""

    ERROR_SCHEMA = ErrorSchema
    DEFAULT_ERROR_RESPONSE_NAME = None

    def __init__(self, app=None, **kwargs):
        spec_kwargs = kwargs.pop("spec_kwargs", {})
        spec_kwargs.setdefault("extra_plugins", [SharedErrors()])
        super().__init__(app, spec_kwargs=spec_kwargs, **kwargs)

    def _register_pagination_header(self):
        """Not used: lists carry their page in the body (flask-smorest would otherwise
        add an unused PaginationMetadata schema)."""

    def _register_responses(self):
        for name, header in HEADERS.items():
            self.spec.components.header(name, header, lazy=True)
        for status in HTTPStatus:
            if status >= 400:
                headers = {REQUEST_ID: REQUEST_ID, **_ERROR_HEADERS.get(status, {})}
                self.spec.components.response(status.name, {
                    "description": status.phrase, "headers": headers, "content": {
                        self.DEFAULT_RESPONSE_CONTENT_TYPE: {"schema": self.ERROR_SCHEMA}}},
                    lazy=True)


def spec_options(description: str) -> dict:
    return {"info": {"description": description, "license": LICENSE}, "servers": SERVERS,
            "components": {"securitySchemes": SECURITY_SCHEMES}}
