"""When a process loses a store (PostgreSQL, Redis, RabbitMQ) it backs off, logs it,
counts it for /metrics, and tries again: no store restart needs an operator."""
from __future__ import annotations

import logging
import random

from prometheus_client import Counter

log = logging.getLogger(__name__)

STORE_OUTAGES = Counter(
    "store_outages_total", "Times a process lost a store and backed off before retrying",
    ["process", "store"])
STORE_RECOVERIES = Counter(
    "store_recoveries_total", "Times a process found a lost store answering again",
    ["process", "store"])


def store_of(exc: BaseException) -> str:
    """Which store an error came from, by the library that raised it."""
    module = type(exc).__module__
    for prefix, store in (("sqlalchemy", "postgres"), ("psycopg", "postgres"),
                          ("redis", "redis"), ("amqp", "rabbitmq"), ("kombu", "rabbitmq"),
                          ("smtplib", "smtp")):
        if module.startswith(prefix):
            return store
    return "unknown"


def count_outage(process: str, exc: BaseException) -> None:
    """A task that met a store down and will retry: counted for /metrics."""
    STORE_OUTAGES.labels(process, store_of(exc)).inc()


class Backoff:
    """Capped exponential backoff with jitter, reset by the first success."""

    def __init__(self, process: str, base: float = 0.25, cap: float = 10.0):
        self.process, self.base, self.cap = process, base, cap
        self.failures = 0
        self.store: str | None = None

    def failed(self, store: str, exc: BaseException) -> float:
        """Records an outage of `store`; returns how long to wait before the next try."""
        if self.failures == 0:
            log.warning("%s lost %s, backing off: %s", self.process, store, exc)
            STORE_OUTAGES.labels(self.process, store).inc()
        self.failures += 1
        self.store = store
        step = min(self.cap, self.base * 2 ** min(self.failures, 16))
        return step / 2 + random.uniform(0, step / 2)

    def succeeded(self) -> None:
        if self.failures:
            log.warning("%s: %s answers again after %d tries", self.process, self.store,
                        self.failures)
            STORE_RECOVERIES.labels(self.process, self.store or "").inc()
        self.failures, self.store = 0, None
