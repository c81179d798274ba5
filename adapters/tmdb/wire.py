"""How requests to TMDb are spelled: API paths, query values, `Retry-After`, redaction."""
from __future__ import annotations

import datetime as dt
import re
from email.utils import parsedate_to_datetime
from typing import Any

API_VERSION_PREFIX = "/3"
_RANGE_SUFFIX = re.compile(r"_(gte|lte)$")
_API_KEY_IN_TEXT = re.compile(r"(api_key=)[^&\s'\"]+")


def api_root(base_url: str) -> str:
    """`https://api.themoviedb.org` and `https://api.themoviedb.org/3/` both give the first."""
    root = base_url.rstrip("/")
    return root[: -len(API_VERSION_PREFIX)] if root.endswith(API_VERSION_PREFIX) else root


def api_path(path: str) -> str:
    """`movie/550`, `/movie/550` and `/3/movie/550` all give `/3/movie/550`."""
    path = "/" + path.lstrip("/")
    if path == API_VERSION_PREFIX or path.startswith(API_VERSION_PREFIX + "/"):
        return path
    return API_VERSION_PREFIX + path


def dotted_filters(filters: dict[str, Any]) -> dict[str, Any]:
    """`vote_count_gte` -> `vote_count.gte` (Python names cannot hold the dot)."""
    return {_RANGE_SUFFIX.sub(r".\1", name): value for name, value in filters.items()}


def query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        return ",".join(str(item) for item in value)
    return str(value)


def query_params(params: dict[str, Any]) -> dict[str, str]:
    """Drops unset parameters and renders the rest the way TMDb reads them."""
    return {name: query_value(value) for name, value in params.items() if value is not None}


def retry_after_seconds(value: str | None) -> float | None:
    """`Retry-After` in seconds, whether sent as a number or as an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return max(0.0, (moment - dt.datetime.now(dt.timezone.utc)).total_seconds())


def redact(text: str) -> str:
    """Hides an `api_key=` query value (URLs end up in exception messages)."""
    return _API_KEY_IN_TEXT.sub(r"\1***", text)
