"""TMDb's error answers: HTTP status, TMDb status_code and status_message."""
from __future__ import annotations

from typing import Any


class TmdbError(Exception):
    """An answer TMDb gives as ``{"success": false, "status_code", "status_message"}``."""

    def __init__(self, http_status: int, code: int, message: str, *,
                 headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(f"{http_status} ({code}) {message}")
        self.http_status = http_status
        self.code = code
        self.message = message
        self.headers = headers or {}
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {"success": False, "status_code": self.code, "status_message": self.message,
                **self.extra}


def invalid_api_key() -> TmdbError:
    return TmdbError(401, 7, "Invalid API key: You must be granted a valid key.")


def not_found() -> TmdbError:
    return TmdbError(404, 34, "The resource you requested could not be found.")


def invalid_id() -> TmdbError:
    return TmdbError(404, 6, "Invalid id: The pre-requisite id is invalid or not found.")


def invalid_page() -> TmdbError:
    return TmdbError(400, 22, "Invalid page: Pages start at 1 and max at 500. "
                              "They are expected to be an integer.")


def invalid_parameters(detail: str) -> TmdbError:
    """TMDb's 422 for a missing or malformed parameter; ``errors`` says which."""
    return TmdbError(422, 5, "Invalid parameters: Your request parameters are incorrect.",
                     errors=[detail])


def invalid_date_range() -> TmdbError:
    return TmdbError(400, 20, "Invalid date range: Should be a range no longer than 14 days.")


def too_many_appends() -> TmdbError:
    return TmdbError(400, 27, "Too many append to response objects: "
                              "The maximum number of remote calls is 20.")


def rate_limited(retry_after: int) -> TmdbError:
    return TmdbError(429, 25, "Your request count (#) is over the allowed limit of (40).",
                     headers={"Retry-After": str(retry_after)})


def server_error(http_status: int) -> TmdbError:
    """The bodies TMDb (and its CDN) send with 500, 502, 503 and 504."""
    if http_status == 503:
        return TmdbError(503, 9, "Service offline: This service is temporarily offline, "
                                 "try again later.")
    if http_status in (502, 504):
        return TmdbError(http_status, 24, "Your request to the backend server timed out. "
                                          "Try again.")
    return TmdbError(http_status, 11, "Internal error: Something went wrong, contact TMDB.")
