"""Counts of the TMDb requests served, for tests that count calls and measure rates."""
from __future__ import annotations

import threading
from collections import Counter, deque
from typing import Any

KEEP_TIMESTAMPS = 10_000


class RequestStats:
    """Requests by status and by path, and the arrival times of the latest ones."""

    def __init__(self, keep_timestamps: int = KEEP_TIMESTAMPS) -> None:
        self._lock = threading.Lock()
        self._by_status: Counter[str] = Counter()
        self._by_path: Counter[str] = Counter()
        self._timestamps: deque[float] = deque(maxlen=keep_timestamps)
        self._total = 0

    def record(self, path: str, status: int, arrived_at: float) -> None:
        with self._lock:
            self._total += 1
            self._by_status[str(status)] += 1
            self._by_path[path] += 1
            self._timestamps.append(arrived_at)

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requests": self._total,
                "by_status": dict(self._by_status),
                "by_path": dict(self._by_path),
                "timestamps": list(self._timestamps),
            }

    def reset(self) -> None:
        with self._lock:
            self._total = 0
            self._by_status.clear()
            self._by_path.clear()
            self._timestamps.clear()
