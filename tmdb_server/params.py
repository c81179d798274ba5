"""Reading TMDb query parameters from a plain mapping (no web framework here)."""
from __future__ import annotations

import re
from datetime import date
from typing import Mapping

from . import errors

MAX_PAGE = 500
_MOVIE_ID = re.compile(r"^(\d+)(-[\w-]*)?$")  # TMDb also takes "550-fight-club"


def page(args: Mapping[str, str]) -> int:
    """``page``, 1 by default; 400 code 22 unless a whole number in 1..500."""
    raw = args.get("page", "1").strip() or "1"
    if not raw.isdigit():
        raise errors.invalid_page()
    number = int(raw)
    if not 1 <= number <= MAX_PAGE:
        raise errors.invalid_page()
    return number


def movie_id(raw: str) -> int:
    """The numeric id in a path segment; 404 code 6 when it is not one."""
    match = _MOVIE_ID.match(raw)
    if match is None:
        raise errors.invalid_id()
    return int(match.group(1))


def text(args: Mapping[str, str], name: str) -> str | None:
    value = args.get(name)
    return value.strip() if value is not None and value.strip() else None


def whole(args: Mapping[str, str], name: str) -> int | None:
    value = text(args, name)
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise errors.invalid_parameters(f"{name} must be an integer") from None


def number(args: Mapping[str, str], name: str) -> float | None:
    value = text(args, name)
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        raise errors.invalid_parameters(f"{name} must be a number") from None


def day(args: Mapping[str, str], name: str) -> date | None:
    value = text(args, name)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise errors.invalid_parameters(f"{name} must be a date (YYYY-MM-DD)") from None


def flag(args: Mapping[str, str], name: str, default: bool = False) -> bool:
    value = text(args, name)
    if value is None:
        return default
    return value.lower() in ("true", "1", "yes")

