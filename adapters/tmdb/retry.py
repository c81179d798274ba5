"""When the TMDb client tries a request again, and how long it waits first (tenacity).

5xx answers, timeouts and connection errors are retried with exponential backoff
plus jitter; a 429 waits what `Retry-After` says (or the backoff when it says
nothing). Each kind has its own bound. A wait on the local token bucket that timed
out, or an unreachable Redis, is never retried here.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from tenacity import (
    RetryCallState, Retrying, retry_if_exception, wait_exponential, wait_random)

from adapters.tmdb.errors import (
    RateLimiterUnavailable, RateLimitTimeout, TmdbRateLimited, TmdbUnavailable)


def is_retryable(exc: BaseException) -> bool:
    if isinstance(exc, (RateLimitTimeout, RateLimiterUnavailable)):
        return False
    return isinstance(exc, (TmdbUnavailable, TmdbRateLimited))


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 4               # after 5xx, timeouts, connection errors
    max_rate_limited_retries: int = 5  # after 429s
    backoff: float = 0.5               # first backoff, doubled each time, plus jitter
    max_backoff: float = 8.0
    max_retry_after: float = 60.0      # a longer Retry-After is raised, not slept

    def retrying(self, sleep: Callable[[float], None],
                 before_sleep: Callable[[RetryCallState], None]) -> Retrying:
        """A fresh tenacity controller for one call (it keeps that call's tallies)."""
        tally = _Tally(self)
        return Retrying(retry=retry_if_exception(is_retryable), stop=tally.stop,
                        wait=tally.wait, sleep=sleep, before_sleep=before_sleep,
                        reraise=True)


class _Tally:
    """Counts one call's failed attempts by kind, deciding when to stop and how long to wait."""

    def __init__(self, policy: RetryPolicy):
        self.policy = policy
        self.rate_limited = 0
        self.failed = 0
        # backoff * 2**n capped at max_backoff, plus up to one backoff of jitter
        self.backoff = (wait_exponential(multiplier=policy.backoff, max=policy.max_backoff)
                        + wait_random(0, policy.backoff))

    def stop(self, state: RetryCallState) -> bool:
        exc = _last_error(state)
        if isinstance(exc, TmdbRateLimited):
            self.rate_limited += 1
            too_long = (exc.retry_after or 0) > self.policy.max_retry_after
            return too_long or self.rate_limited > self.policy.max_rate_limited_retries
        self.failed += 1
        return self.failed > self.policy.max_retries

    def wait(self, state: RetryCallState) -> float:
        exc = _last_error(state)
        if isinstance(exc, TmdbRateLimited) and exc.retry_after is not None:
            return exc.retry_after
        return self.backoff(state)


def _last_error(state: RetryCallState) -> BaseException | None:
    return state.outcome.exception() if state.outcome is not None else None
