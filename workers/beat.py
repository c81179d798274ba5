"""A beat scheduler that only sends while it holds a PostgreSQL advisory lock.

Start as many beat processes as you like: one holds the lock and schedules, the
others stand by and take over within a tick of the leader's death (its session
ends with it, and Postgres frees the lock).
"""
from __future__ import annotations

import logging
import os

import psycopg
from celery.beat import PersistentScheduler

from adapters.outages import count_outage
from movienexus.bootstrap import bootstrap

log = logging.getLogger(__name__)
STANDBY_TICK_SECONDS = 5.0


class LeaderLock:
    def __init__(self, dsn: str, lock_id: int):
        self.dsn, self.lock_id = dsn, lock_id
        self._conn: psycopg.Connection | None = None

    def held(self) -> bool:
        """True while this process holds the lock; tries to take it when it does not."""
        try:
            if self._conn is not None and not self._conn.closed:
                self._conn.execute("SELECT 1")
                return True
            conn = psycopg.connect(self.dsn, autocommit=True, connect_timeout=5)
            if conn.execute("SELECT pg_try_advisory_lock(%s)", (self.lock_id,)).fetchone()[0]:
                self._conn = conn
                return True
            conn.close()
        except psycopg.Error as exc:
            log.warning("beat lock check failed: %s", exc)
            count_outage("beat", exc)
            self.release()
        return False

    def release(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def lock_for_settings() -> LeaderLock:
    settings = bootstrap().settings
    url = bootstrap().engine.url.set(drivername="postgresql")
    return LeaderLock(url.render_as_string(hide_password=False), settings.beat_lock_id)


class SingleLeaderScheduler(PersistentScheduler):
    def __init__(self, *args, **kwargs):
        self.leader_lock = lock_for_settings()
        self._was_leader = False
        super().__init__(*args, **kwargs)

    def setup_schedule(self) -> None:
        """The schedule file's folder is made first: on a fresh clone `var/` does not
        exist, and beat would start without a schedule (no sweeps, no syncs)."""
        folder = os.path.dirname(self.schedule_filename)
        if folder:
            os.makedirs(folder, exist_ok=True)
        super().setup_schedule()

    def tick(self, *args, **kwargs) -> float:
        leader = self.leader_lock.held()
        if leader != self._was_leader:
            log.info("beat %s the schedule", "now leads" if leader else "stands by; not sending")
            self._was_leader = leader
        if not leader:
            return STANDBY_TICK_SECONDS
        return super().tick(*args, **kwargs)

    def close(self) -> None:
        super().close()
        self.leader_lock.release()
