"""Typed TMDb errors, and the pure mapping of an error response to one of them.

TMDb answers every error with `{"success": false, "status_code": N,
"status_message": "..."}`; `status_code` is TMDb's own code (7 = invalid key,
34 = not found, 25 = over the rate limit), not the HTTP status.
"""
from __future__ import annotations

from typing import Any

CREDENTIAL_HINT = (
    "Set TMDB_API_KEY to a valid TMDb v3 API key, or TMDB_READ_TOKEN to a valid API read "
    "access token; with neither set, Movie Nexus talks to the bundled TMDb server "
    "(TMDB_BASE_URL, else 127.0.0.1:TMDB_SERVER_PORT) with its development key.")

NOT_FOUND_CODES = frozenset({6, 34})
UNAUTHORIZED_CODES = frozenset({3, 7, 10, 14, 36})
RATE_LIMITED_CODES = frozenset({25})


class TmdbError(Exception):
    """Any failure talking to TMDb; `status` is HTTP's, `tmdb_code` TMDb's own."""

    def __init__(self, message: str, *, status: int | None = None,
                 tmdb_code: int | None = None, path: str | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.tmdb_code = tmdb_code
        self.path = path


class TmdbNotFound(TmdbError):
    """404: no such movie (TMDb code 34) or an invalid id (code 6)."""


class TmdbBadRequest(TmdbError):
    """400/422: a parameter TMDb refuses (bad page, too many appends, long date range)."""


class TmdbUnauthorized(TmdbError):
    """401: the key or read token is missing, wrong or suspended."""

    def __init__(self, message: str, **kwargs: Any):
        super().__init__(f"TMDb rejected the credentials: {message} {CREDENTIAL_HINT}",
                         **kwargs)


class TmdbRateLimited(TmdbError):
    """429 that waiting (Retry-After) did not cure, or a local rate-limit timeout."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class RateLimitTimeout(TmdbRateLimited):
    """The shared token bucket would not grant a token within the caller's timeout."""


class TmdbUnavailable(TmdbError):
    """5xx, timeouts and connection errors that outlasted the retries."""


class RateLimiterUnavailable(TmdbUnavailable):
    """Redis, which holds the shared rate-limit bucket, could not be reached."""


def _body_fields(body: Any) -> tuple[int | None, str | None]:
    if not isinstance(body, dict):
        return None, None
    code = body.get("status_code")
    message = body.get("status_message")
    return (code if isinstance(code, int) else None,
            message if isinstance(message, str) else None)


def error_class_for(status: int, tmdb_code: int | None) -> type[TmdbError]:
    """The error type for an HTTP status, falling back on TMDb's code."""
    if status in (401, 403) or tmdb_code in UNAUTHORIZED_CODES:
        return TmdbUnauthorized
    if status == 404 or tmdb_code in NOT_FOUND_CODES:
        return TmdbNotFound
    if status == 429 or tmdb_code in RATE_LIMITED_CODES:
        return TmdbRateLimited
    if status >= 500:
        return TmdbUnavailable
    if status in (400, 422):
        return TmdbBadRequest
    return TmdbError


def error_from_response(status: int, body: Any, *, path: str | None = None,
                        retry_after: float | None = None) -> TmdbError:
    """Maps an error response (HTTP status and parsed JSON body, if any) to a TmdbError."""
    tmdb_code, tmdb_message = _body_fields(body)
    cls = error_class_for(status, tmdb_code)
    where = f" for {path}" if path else ""
    code = f", TMDb code {tmdb_code}" if tmdb_code is not None else ""
    wait = f" (Retry-After {retry_after:g}s)" if retry_after is not None else ""
    message = f"HTTP {status}{code}{where}: {tmdb_message or 'no TMDb error message'}{wait}"
    kwargs: dict[str, Any] = {"status": status, "tmdb_code": tmdb_code, "path": path}
    if issubclass(cls, TmdbRateLimited):
        kwargs["retry_after"] = retry_after
    return cls(message, **kwargs)
