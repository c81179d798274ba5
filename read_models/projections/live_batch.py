"""One live batch of events in one transaction, through every projection that follows them.

1. The checkpoints of the batch's (projection, aggregate) pairs are created if missing
   and locked, in one statement, in a stable order (sorted), so two workers holding
   overlapping batches wait for each other instead of deadlocking.
2. Each event is gated against its checkpoint: a duplicate is skipped, the next one
   is applied, one past a gap is preceded by its missing predecessors, read from the
   event log in this transaction (a gap the log cannot fill: GapNotInLog, poison).
3. Each fold loads what its events need (prepare), evolves the events in order, and
   saves the states that changed; the checkpoints move in one statement.
An event that fails to evolve blocks its aggregate for the rest of the batch (its
events are handed back); the others go on. Anything else that fails (the database
refusing a save, a store that is down) fails the whole transaction: the caller
decides (workers.batches).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy import Connection, text

from adapters.messaging.envelope import Envelope
from adapters.messaging.event_log import envelopes_between
from read_models.projections.framework import (
    AppliedBatch,
    Folding,
    GapNotInLog,
    Outcome,
    Projection,
    gate,
)

_LOCK_CHECKPOINTS = text("""
    INSERT INTO projection_checkpoints AS c (projection, aggregate_id, version)
    SELECT k.projection, k.aggregate_id, 0
    FROM unnest(CAST(:projections AS text[]), CAST(:ids AS text[])) AS k(projection, aggregate_id)
    ORDER BY k.projection, k.aggregate_id
    ON CONFLICT (projection, aggregate_id) DO UPDATE SET version = c.version
    RETURNING c.projection, c.aggregate_id, c.version
""")
_ADVANCE_CHECKPOINTS = text("""
    UPDATE projection_checkpoints c SET version = k.version
    FROM unnest(CAST(:projections AS text[]), CAST(:ids AS text[]),
                CAST(:versions AS integer[])) AS k(projection, aggregate_id, version)
    WHERE c.projection = k.projection AND c.aggregate_id = k.aggregate_id
""")

Key = tuple[str, str]          # (projection, aggregate id)


@dataclass
class BatchApplied:
    """What a batch did, by delivered event."""

    outcomes: dict[str, Outcome] = field(default_factory=dict)   # event id -> outcome
    failed: dict[str, Exception] = field(default_factory=dict)   # event id -> why it stopped
    waiting: list[Envelope] = field(default_factory=list)        # failed, and behind them


@dataclass(frozen=True)
class _Step:
    projection: Projection
    event: Envelope          # what is applied: the delivered event or, after a gap, one
    delivered: Envelope      # of its predecessors from the log


class LiveBatch:
    """Call `run(conn)` inside the transaction, then `after_commit()` once it committed."""

    def __init__(self, projections: list[Projection],
                 followers: Callable[[Envelope], list[Projection]], events: list[Envelope]):
        self.projections, self.followers, self.events = projections, followers, events
        self.result = BatchApplied()
        self.locked: dict[Key, int] = {}          # the checkpoints as the batch found them
        self.checkpoints: dict[Key, int] = {}     # ...and as its gate moves them
        self.advanced: dict[Key, int] = {}
        self.steps: list[_Step] = []
        self.duplicates: dict[str, list[Envelope]] = defaultdict(list)
        self.repaired: set[str] = set()
        self.blocked: dict[str, int] = {}         # aggregate id -> position it stopped at
        self.foldings: dict[str, Folding] = {}
        self.applied: dict[str, list[Envelope]] = defaultdict(list)

    # --- in the transaction -------------------------------------------------------------

    def run(self, conn: Connection) -> None:
        self._lock(conn)
        for event in self.events:
            for projection in self.followers(event):
                self._gate(conn, projection, event)
        self._prepare(conn)
        for step in self.steps:
            if not self._is_blocked(step.delivered):
                self._apply(conn, step)
        for projection in self.projections:
            folding = self.foldings.get(projection.name)
            if folding is not None and (changed := folding.changed_states()):
                folding.fold.save(conn, changed)
        if self.advanced:
            keys = sorted(self.advanced)
            conn.execute(_ADVANCE_CHECKPOINTS, {
                "projections": [p for p, _ in keys], "ids": [i for _, i in keys],
                "versions": [self.advanced[k] for k in keys]})

    def _lock(self, conn: Connection) -> None:
        keys = sorted({(p.name, e.aggregate_id) for e in self.events
                       for p in self.followers(e)})
        if keys:
            rows = conn.execute(_LOCK_CHECKPOINTS, {"projections": [p for p, _ in keys],
                                                    "ids": [i for _, i in keys]})
            self.locked = {(r.projection, r.aggregate_id): r.version for r in rows}
        self.checkpoints = dict(self.locked)

    def _gate(self, conn: Connection, projection: Projection, event: Envelope) -> None:
        if self._is_blocked(event):
            return
        key = (projection.name, event.aggregate_id)
        applied = self.checkpoints[key]
        outcome = gate(applied, event.aggregate_version)
        if outcome is Outcome.DUPLICATE:
            self.duplicates[projection.name].append(event)
            return
        chain = [event]
        if outcome is Outcome.EARLY:
            missing = envelopes_between(conn, event.aggregate_type, event.aggregate_id,
                                        applied, event.aggregate_version)
            if len(missing) != event.aggregate_version - applied - 1:
                self._block(event, GapNotInLog(
                    f"{event.aggregate_type} {event.aggregate_id}: versions "
                    f"{applied + 1}..{event.aggregate_version - 1} are not all in the log"))
                return
            chain[:0] = missing
            self.repaired.add(event.event_id)
        self.steps += [_Step(projection, e, event) for e in chain]
        self.checkpoints[key] = event.aggregate_version

    def _prepare(self, conn: Connection) -> None:
        shared: dict = {}
        for projection in self.projections:
            events = [s.event for s in self.steps if s.projection is projection]
            events += self.duplicates[projection.name]
            if not events:
                continue
            folding = self.foldings[projection.name] = Folding(projection.fold(conn, shared))
            folding.states = {e.aggregate_id: None for e in events
                              if self.locked[(projection.name, e.aggregate_id)] == 0}
            folding.fold.prepare(folding.states, events)

    def _apply(self, conn: Connection, step: _Step) -> None:
        name = step.projection.name
        try:
            self.foldings[name].evolve(step.event)
        except Exception as exc:  # noqa: BLE001 (poison: its aggregate waits)
            self._block(step.delivered, exc)
            return
        self.applied[name].append(step.event)
        self.advanced[(name, step.event.aggregate_id)] = step.event.aggregate_version
        self.result.outcomes[step.delivered.event_id] = (
            Outcome.REPAIRED if step.delivered.event_id in self.repaired else Outcome.APPLIED)

    def _block(self, delivered: Envelope, exc: Exception) -> None:
        self.result.failed[delivered.event_id] = exc
        self.blocked[delivered.aggregate_id] = min(
            delivered.position, self.blocked.get(delivered.aggregate_id, delivered.position))

    def _is_blocked(self, delivered: Envelope) -> bool:
        return delivered.position >= self.blocked.get(delivered.aggregate_id, float("inf"))

    # --- after the commit ---------------------------------------------------------------

    def sort_out(self) -> BatchApplied:
        """Which delivered events went through (a duplicate everywhere: DUPLICATE), and
        which wait (from each blocked aggregate's failed event on)."""
        for event in self.events:
            if self._is_blocked(event):
                self.result.outcomes.pop(event.event_id, None)
                self.result.waiting.append(event)
            else:
                self.result.outcomes.setdefault(event.event_id, Outcome.DUPLICATE)
        return self.result

    def after_commit(self) -> None:
        """Each projection's copies to Redis, once for the batch."""
        for projection in self.projections:
            if projection.name in self.foldings:
                folding = self.foldings[projection.name]
                projection.after_commit(AppliedBatch(
                    self.applied[projection.name], self.duplicates[projection.name],
                    {i: s for i, s in folding.states.items() if s is not None}))
