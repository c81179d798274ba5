"""When a process loses a store (PostgreSQL, Redis, RabbitMQ) it backs off, logs it,
counts it for /metrics, and tries again: no store restart needs an operator."""
from __future__ import annotations

import logging
import random
import smtplib

from prometheus_client import Counter
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DBAPIError, InterfaceError

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


# SQLSTATE classes and codes that mean the server is gone or refusing connections:
# 08 connection exceptions, 57P01..57P03 shutdown / cannot connect now, 53300 too many
# connections. Everything else (a constraint, a deadlock, a serialization failure, a
# bad statement) is an answer from a working server: the event's own failure.
_OUTAGE_SQLSTATES = ("08", "57P01", "57P02", "57P03", "53300")
_STORE_DOWN = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError,
               smtplib.SMTPConnectError, smtplib.SMTPServerDisconnected)


def is_outage(exc: BaseException) -> bool:
    """True only when a store is really unreachable: a lost or refused connection, not
    an error a working store answered with (a UniqueViolation is a defect, and waiting
    for the store to come back would never end it)."""
    if isinstance(exc, _STORE_DOWN):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated or isinstance(exc, InterfaceError):
        return True
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate is None:        # no server's answer: a connection that failed or closed
        return str(exc.orig).startswith("connection")
    return sqlstate.startswith(_OUTAGE_SQLSTATES)


def describe(exc: BaseException) -> str:
    """The exception's class (and the driver's, under SQLAlchemy's) and first line: what
    an operator needs to tell an outage from a defect."""
    orig = getattr(exc, "orig", None)
    kind = type(exc).__name__ + (f"({type(orig).__module__}.{type(orig).__name__})"
                                 if orig is not None else "")
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{kind}: {first[:200]}"


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
