"""The catch-up sweeper: the safety net under the broker.

Every few seconds (beat) or on demand (CLI) it asks the event log which aggregates
of a lane have events that some projection's checkpoint has not reached, and brings
each one up to date through the projections' own gap repair. So a message the broker
lost outright, or one dropped from a queue, is still projected within seconds, with
no operator. It reads from a per-lane position watermark, looking back
`lookback` positions for events whose transactions committed late, and leaves alone
the events younger than `grace` (the broker is about to deliver them). It is safe
beside live workers: the checkpoint row lock serialises them, and a duplicate is
skipped. Aggregates with a pending dead letter are left to the operator.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Callable

from redis.exceptions import RedisError
from sqlalchemy import Connection, Engine, text

from adapters.messaging.topology import lane_of
from adapters.outages import describe, is_outage
from read_models.projections.runner import ProjectionRunner
from read_models.stores.markers import applied_key

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]

_BEHIND = text("""
    WITH latest AS (
        SELECT aggregate_type, aggregate_id, max(aggregate_version) AS version,
               max(occurred_at) AS newest
        FROM events WHERE position > :after AND aggregate_type = ANY(:types)
        GROUP BY aggregate_type, aggregate_id),
    pairs AS (
        SELECT * FROM unnest(CAST(:projections AS text[]), CAST(:followed AS text[]))
            AS p(projection, aggregate_type))
    SELECT l.aggregate_type, l.aggregate_id, l.version,
           bool_or(coalesce(c.version, 0) < l.version) AS behind
    FROM latest l JOIN pairs p ON p.aggregate_type = l.aggregate_type
    LEFT JOIN projection_checkpoints c
           ON c.projection = p.projection AND c.aggregate_id = l.aggregate_id
    WHERE l.newest < now() - make_interval(secs => :grace)
      AND NOT EXISTS (SELECT 1 FROM dead_letters d WHERE d.aggregate_id = l.aggregate_id
                      AND d.subscriber = 'projections' AND d.replayed_at IS NULL)
    GROUP BY l.aggregate_type, l.aggregate_id, l.version
    ORDER BY l.aggregate_type, l.aggregate_id
""")
# The next watermark: the head, or just below the oldest event still in its grace.
_NEXT_WATERMARK = text("""
    SELECT coalesce(min(position) - 1, :head) FROM events
    WHERE position > :after AND aggregate_type = ANY(:types)
      AND occurred_at >= now() - make_interval(secs => :grace)
""")
_HEAD = text("SELECT coalesce(max(position), 0) FROM events")
_WATERMARK = text("SELECT position FROM projection_sweeps WHERE lane = :lane")
_SAVE_WATERMARK = text("""
    INSERT INTO projection_sweeps (lane, position, swept_at) VALUES (:lane, :position, now())
    ON CONFLICT (lane) DO UPDATE SET position = greatest(projection_sweeps.position,
                                                         EXCLUDED.position),
                                     swept_at = now()
""")
_TRY_LOCK = text("SELECT pg_try_advisory_lock(hashtext('movienexus-sweep:' || :lane))")
_UNLOCK = text("SELECT pg_advisory_unlock(hashtext('movienexus-sweep:' || :lane))")


@dataclass
class SweepReport:
    lane: str
    behind: int = 0
    repaired: int = 0
    failed: dict[str, str] = field(default_factory=dict)
    skipped: bool = False        # another sweep of the lane was running
    store_down: bool = False     # a failure was a store's, not the event's

    def summary(self) -> str:
        if self.skipped:
            return f"{self.lane}: another sweep is running"
        return (f"{self.lane}: {self.behind} aggregate(s) behind, {self.repaired} caught up, "
                f"{len(self.failed)} failed")


class CatchUpSweeper:
    def __init__(self, engine: Engine, runner: ProjectionRunner, lane: str,
                 lookback: int = 10_000, grace: float = 2.0):
        self.engine, self.runner, self.lane = engine, runner, lane
        self.lookback, self.grace = lookback, grace
        self.pairs = [(p.name, t) for p in runner.projections for t in sorted(p.follows)
                      if lane_of(t) == lane]
        self.types = sorted({t for _, t in self.pairs})

    def sweep(self, full: bool = False, progress: Progress = lambda _d, _t: None) -> SweepReport:
        report = SweepReport(self.lane)
        with self.engine.connect() as guard:
            if not guard.execute(_TRY_LOCK, {"lane": self.lane}).scalar():
                report.skipped = True
                return report
            try:
                self._sweep(guard, full, report, progress)
            finally:
                guard.execute(_UNLOCK, {"lane": self.lane})
                guard.commit()
        return report

    def _sweep(self, conn: Connection, full: bool, report: SweepReport,
               progress: Progress) -> None:
        after = 0 if full else max(0, (conn.execute(_WATERMARK, {"lane": self.lane})
                                       .scalar() or 0) - self.lookback)
        params = {"after": after, "types": self.types, "grace": 0.0 if full else self.grace}
        head = conn.execute(_HEAD).scalar_one()
        recent = conn.execute(_BEHIND, {**params, "projections": [p for p, _ in self.pairs],
                                        "followed": [t for _, t in self.pairs]}).all()
        conn.commit()
        behind = self._behind(recent)
        report.behind = len(behind)
        for done, (aggregate_type, aggregate_id) in enumerate(behind, start=1):
            self._catch_up(aggregate_type, aggregate_id, report)
            progress(done, len(behind))
        if not report.store_down:      # poison does not pin it: the live path dead-letters it
            watermark = conn.execute(_NEXT_WATERMARK, {**params, "head": head}).scalar_one()
            conn.execute(_SAVE_WATERMARK, {"lane": self.lane, "position": watermark})
            conn.commit()
        if report.behind:
            log.warning("sweeper %s", report.summary())

    def _behind(self, recent) -> list[tuple[str, str]]:
        """Behind in a checkpoint, or in Redis (its `applied:` marker lower than the log:
        a process died between the commit and the Redis copy, or Redis lost it); for the
        latter the catch-up is a duplicate delivery, which copies the stored rows again."""
        try:
            markers = self.runner.documents.redis.mget(
                [applied_key(r.aggregate_type, r.aggregate_id) for r in recent]) \
                if recent else []
        except RedisError:                # Redis is down: the checkpoints alone decide
            return [(r.aggregate_type, r.aggregate_id) for r in recent if r.behind]
        return [(r.aggregate_type, r.aggregate_id) for r, marker in zip(recent, markers)
                if r.behind or int(marker or 0) < r.version]

    def _catch_up(self, aggregate_type: str, aggregate_id: str, report: SweepReport) -> None:
        try:
            self.runner.catch_up(aggregate_type, aggregate_id)
            report.repaired += 1
        except Exception as exc:  # noqa: BLE001 (poison: the live path dead-letters it)
            report.store_down = report.store_down or is_outage(exc)
            report.failed[f"{aggregate_type}:{aggregate_id}"] = describe(exc)
