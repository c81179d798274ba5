"""How long a task waits before its next try: exponential backoff with jitter."""
from __future__ import annotations

import random


def failure_delay(failures: int, base: float, cap: float = 300.0) -> float:
    """Equal jitter: half the exponential step fixed, half random (AWS's advice)."""
    step = min(cap, base * 2 ** failures)
    return step / 2 + random.uniform(0, step / 2)


def early_delay(attempt: int, base: float = 0.05, cap: float = 2.0) -> float:
    """An event that arrived before its predecessor: retry soon, then less often."""
    step = min(cap, base * 2 ** min(attempt, 16))
    return step * random.uniform(0.5, 1.5)
