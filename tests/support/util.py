"""Unique ids and polling, for tests that run in any order."""
from __future__ import annotations

import time
import uuid


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}@example.com"


def eventually(check, timeout: float = 20.0, interval: float = 0.05):
    """Retries `check` until it returns a truthy value (an AssertionError counts as
    not yet), and returns that value."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
            if result:
                return result
        except AssertionError:
            if time.monotonic() >= deadline:
                raise
        if time.monotonic() >= deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(interval)
