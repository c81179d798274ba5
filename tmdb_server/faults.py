"""Fault injection: added latency, 429s, 5xx, timeouts, and a server-side rate limit.

Shares are probabilities (0..1) drawn from a seeded RNG, so a run with the same
seed and the same request order meets the same faults. Thread-safe.
"""
from __future__ import annotations

import dataclasses
import math
import threading
import time
from collections import deque
from dataclasses import dataclass
from random import Random
from typing import Any, Callable, Mapping

from . import errors
from .errors import TmdbError

SERVER_ERROR_STATUSES = (500, 502, 503)


@dataclass(frozen=True)
class FaultSettings:
    """What the server does wrong on purpose. All off by default."""

    latency_ms: float = 0.0  # added to every TMDb answer
    rate_429: float = 0.0  # share answered 429 code 25 with Retry-After: retry_after
    rate_5xx: float = 0.0  # share answered 500, 502 or 503
    timeout_rate: float = 0.0  # share held for timeout_seconds before answering
    timeout_seconds: float = 10.0
    retry_after: int = 1  # seconds, in the Retry-After of injected 429s
    rate_limit_per_second: float = 0.0  # 0 = no limit; past it: 429 code 25

    def with_changes(self, values: Mapping[str, Any]) -> "FaultSettings":
        """A copy with ``values`` applied; ValueError for unknown names or bad values."""
        known = {f.name: f.type for f in dataclasses.fields(self)}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise ValueError(f"unknown fault settings {unknown}; known: {sorted(known)}")
        converted = {name: _number(name, value) for name, value in values.items()}
        if "retry_after" in converted:
            converted["retry_after"] = int(converted["retry_after"])
        return dataclasses.replace(self, **converted).validated()

    def validated(self) -> "FaultSettings":
        for name in ("rate_429", "rate_5xx", "timeout_rate"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")
        for name in ("latency_ms", "timeout_seconds", "retry_after", "rate_limit_per_second"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        return self

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name} must be a number")
    return float(value)


@dataclass(frozen=True)
class FaultOutcome:
    """Sleep ``delay`` seconds, then answer ``error`` (or the real answer if None)."""

    delay: float = 0.0
    error: TmdbError | None = None


class RateWindow:
    """Admits at most ``limit`` requests in any sliding second."""

    def __init__(self) -> None:
        self._admitted: deque[float] = deque()

    def admit(self, limit: float, now: float) -> float:
        """0 when admitted, otherwise seconds until a slot frees up."""
        while self._admitted and self._admitted[0] <= now - 1.0:
            self._admitted.popleft()
        if len(self._admitted) >= limit:
            return self._admitted[0] + 1.0 - now
        self._admitted.append(now)
        return 0.0

    def clear(self) -> None:
        self._admitted.clear()


class FaultInjector:
    """Decides, request by request, which fault (if any) the answer gets."""

    def __init__(self, settings: FaultSettings | None = None, *, seed: int = 0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._initial = (settings or FaultSettings()).validated()
        self._settings = self._initial
        self._seed = seed
        self._rng = Random(seed)
        self._clock = clock
        self._window = RateWindow()
        self._lock = threading.Lock()

    @property
    def settings(self) -> FaultSettings:
        return self._settings

    def configure(self, values: Mapping[str, Any]) -> FaultSettings:
        with self._lock:
            self._settings = self._settings.with_changes(values)
            return self._settings

    def reset(self) -> None:
        """No faults at all (not even the start-up ones), a fresh RNG, an empty window."""
        with self._lock:
            self._settings = FaultSettings()
            self._rng = Random(self._seed)
            self._window.clear()

    def decide(self) -> FaultOutcome:
        with self._lock:
            settings = self._settings
            delay = settings.latency_ms / 1000.0
            error = self._rate_limit(settings) or self._random_error(settings)
            if error is None and self._draw(settings.timeout_rate):
                delay += settings.timeout_seconds
            return FaultOutcome(delay=delay, error=error)

    def _rate_limit(self, settings: FaultSettings) -> TmdbError | None:
        if settings.rate_limit_per_second <= 0:
            return None
        wait = self._window.admit(settings.rate_limit_per_second, self._clock())
        return errors.rate_limited(max(1, math.ceil(wait))) if wait > 0 else None

    def _random_error(self, settings: FaultSettings) -> TmdbError | None:
        if self._draw(settings.rate_429):
            return errors.rate_limited(settings.retry_after)
        if self._draw(settings.rate_5xx):
            return errors.server_error(self._rng.choice(SERVER_ERROR_STATUSES))
        return None

    def _draw(self, share: float) -> bool:
        return share > 0 and self._rng.random() < share
