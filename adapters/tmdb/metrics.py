"""What the TMDb client counts: per-client `ClientStats` and process-wide Prometheus counters."""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field, fields

from prometheus_client import REGISTRY, Counter

_NUMERIC_SEGMENT = re.compile(r"(?<=[A-Za-z_])/\d+(?=/|$)")  # an id after a resource name


def endpoint_label(path: str) -> str:
    """`/3/movie/550/similar` -> `/3/movie/{id}/similar`, so labels stay few."""
    return _NUMERIC_SEGMENT.sub("/{id}", path)


def _counter(name: str, documentation: str, labels: tuple[str, ...] = ()) -> Counter:
    """Registers a counter once; a second import (or reload) reuses the first one."""
    try:
        return Counter(name, documentation, labels)
    except ValueError:  # already registered by an earlier import of this module
        existing = REGISTRY._names_to_collectors.get(name)  # noqa: SLF001 (no public lookup)
        if isinstance(existing, Counter):
            return existing
        return Counter(name, documentation, labels, registry=None)


REQUESTS_TOTAL = _counter(
    "tmdb_requests_total", "HTTP requests sent to TMDb, by endpoint template and outcome "
    "(HTTP status, 'timeout' or 'connection_error')", ("endpoint", "status"))
RATE_LIMITED_TOTAL = _counter(
    "tmdb_rate_limited_total", "429 answers received from TMDb")


@dataclass
class ClientStats:
    """Counts of one client's HTTP traffic, safe to update from several threads."""

    requests: int = 0          # HTTP attempts sent (retries included)
    retries: int = 0           # attempts repeated after a 5xx, timeout, network error or 429
    rate_limited: int = 0      # 429 answers seen
    failures: int = 0          # 5xx answers, timeouts and connection errors seen
    throttled_seconds: float = 0.0  # time spent waiting for the shared token bucket
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, **amounts: float) -> None:
        with self._lock:
            for name, amount in amounts.items():
                setattr(self, name, getattr(self, name) + amount)

    def snapshot(self) -> dict[str, float]:
        with self._lock:
            return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "_lock"}


def record_response(path: str, status: int | str) -> None:
    REQUESTS_TOTAL.labels(endpoint=endpoint_label(path), status=str(status)).inc()
    if status == 429:
        RATE_LIMITED_TOTAL.inc()
