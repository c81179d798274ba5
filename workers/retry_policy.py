"""How long a task waits before its next try: exponential backoff with jitter."""
from __future__ import annotations

import random


def failure_delay(failures: int, base: float, cap: float = 300.0) -> float:
    """Equal jitter: half the exponential step fixed, half random (AWS's advice)."""
    step = min(cap, base * 2 ** failures)
    return step / 2 + random.uniform(0, step / 2)


def outage_delay(retries: int, cap: float = 10.0) -> float:
    """A store is down: try again soon, then every few seconds (it comes back)."""
    return failure_delay(min(retries, 8), 0.25, cap=cap)
