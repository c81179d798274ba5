"""One run of each sync kind at a time, across every process: a Redis lock per kind.

The lock expires after SYNC_LOCK_SECONDS, so a crashed run never blocks the kind for
good; a run that is still making progress pushes the expiry back as it goes.
"""
from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from typing import Iterator

from redis import Redis
from redis.exceptions import LockError

log = logging.getLogger("catalog_sync")
LOCK_PREFIX = "catalog_sync:lock"


class AlreadyRunning(RuntimeError):
    """Another run of this sync kind holds its lock."""


class SyncLock:
    def __init__(self, redis: Redis, kind: str, ttl_seconds: float):
        self.kind, self.ttl = kind, ttl_seconds
        # thread_local=False: the pool's threads keep alive a lock the caller took
        self._lock = redis.lock(f"{LOCK_PREFIX}:{kind}", timeout=ttl_seconds,
                                blocking=False, thread_local=False)
        self._extended_at = 0.0

    def acquire(self) -> None:
        if not self._lock.acquire():
            raise AlreadyRunning(f"sync {self.kind} is already running")
        self._extended_at = time.monotonic()

    def keep_alive(self) -> None:
        """Resets the expiry to the full TTL, at most every third of it."""
        if time.monotonic() - self._extended_at < self.ttl / 3:
            return
        self._extended_at = time.monotonic()
        try:
            self._lock.reacquire()
        except LockError as exc:
            log.warning("sync %s lost its lock: %s", self.kind, exc)

    def release(self) -> None:
        try:
            self._lock.release()
        except LockError as exc:  # expired, and maybe taken by another run since
            log.warning("sync %s lock was no longer held at release: %s", self.kind, exc)


@contextmanager
def holding(redis: Redis, kind: str, ttl_seconds: float) -> Iterator[SyncLock]:
    """Holds the kind's lock for the block; AlreadyRunning when another run has it."""
    lock = SyncLock(redis, kind, ttl_seconds)
    lock.acquire()
    try:
        yield lock
    finally:
        lock.release()
