"""A small projection framework: version-gated, idempotent, checkpointed with its rows.

Each projection follows some aggregate types and keeps, per aggregate, the last
version it applied. An event at or below it is a duplicate (skipped); one more
than it is applied. One further ahead shows a gap: the broker lost, delayed or
reordered its predecessors, but the event log has them, so they are read from
`events` and applied first, in the same transaction as the checkpoint. Nothing ever
waits on the broker. Events of a followed aggregate that change nothing for the
projection still advance the checkpoint, so the versions it sees have no gaps.

A projection is defined once, as a fold (Fold, FoldProjection below): the live
runner (read_models.projections.live_batch) and the rebuild
(read_models.operations.bulk) run the same one.
"""
from __future__ import annotations

import enum
import gc
import json
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar, Iterator, Protocol

from sqlalchemy import Connection

from adapters.messaging.envelope import Envelope


class Outcome(enum.Enum):
    APPLIED = "applied"
    REPAIRED = "repaired"     # applied, after reading the missing predecessors from the log
    DUPLICATE = "duplicate"
    EARLY = "early"           # what `gate` says of an event past a gap (never returned by apply)


class GapNotInLog(RuntimeError):
    """The log lacks versions between a checkpoint and an event: the log is damaged
    (or the event forged). Not transport: the event is dead-lettered as poison."""


def gate(applied_version: int, event_version: int) -> Outcome:
    if event_version <= applied_version:
        return Outcome.DUPLICATE
    if event_version == applied_version + 1:
        return Outcome.APPLIED
    return Outcome.EARLY


class Projection:
    name: ClassVar[str]
    follows: ClassVar[frozenset[str]]

    def follows_event(self, envelope: Envelope) -> bool:
        return envelope.aggregate_type in self.follows


class Fold(Protocol):
    """What an event means to one projection, as a fold: the ONE definition that the live
    workers (a batch at a time, read_models.projections.runner) and the rebuild (pages of
    the log, read_models.operations.bulk) both run.

    prepare(states, events)  loads into `states` whatever evolving `events` needs and
                             `states` lacks, in a query or two on the fold's connection
                             (live, locking what another writer may change). An
                             aggregate never applied (checkpoint 0) is in `states`
                             already, as None: it has no rows to load. `events` may
                             hold duplicates too (live: their rows are copied again
                             after the commit), which are never evolved.
    evolve(state, event)     the state after one event; pure (no I/O); returns the same
                             object when nothing changed; raises where the event cannot
                             apply (its aggregate is then held back, as poison).
    save(conn, states)       writes these changed states (rows, in a statement or two).
                             Must be idempotent: saving the same states twice leaves the
                             same rows.
    """

    def prepare(self, states: dict[str, Any], events: list[Envelope]) -> None: ...

    def evolve(self, state: Any, envelope: Envelope) -> Any: ...

    def save(self, conn: Connection, states: dict[str, Any]) -> None: ...


class Folding:
    """One fold's states between two saves, and which of them changed."""

    def __init__(self, fold: Fold):
        self.fold = fold
        self.states: dict[str, Any] = {}
        self.changed: set[str] = set()

    def evolve(self, envelope: Envelope) -> None:
        """Raises what the fold raises (the state stays as it was)."""
        state = self.states.get(envelope.aggregate_id)
        new = self.fold.evolve(state, envelope)
        if new is not state:
            self.states[envelope.aggregate_id] = new
            self.changed.add(envelope.aggregate_id)

    def changed_states(self) -> dict[str, Any]:
        """What to save: the states that changed and have rows, in id order."""
        return {i: self.states[i] for i in sorted(self.changed) if self.states[i] is not None}


@dataclass
class AppliedBatch:
    """What one live batch did to one projection, handed to `after_commit` once the
    batch's transaction committed (the rebuild calls no after_commit: warm fills Redis)."""

    applied: list[Envelope]        # in order, gap-filled predecessors from the log included
    duplicates: list[Envelope]     # delivered again; their aggregates' Redis copies are
                                   # re-asserted (the first copy may have been lost)
    states: dict[str, Any]         # each touched aggregate's state after the batch


class FoldProjection(Projection):
    """A projection defined once, as a fold (see Fold). Live and rebuild both run it."""

    def fold(self, conn: Connection, shared: dict) -> Fold:
        raise NotImplementedError

    def after_commit(self, batch: AppliedBatch) -> None:
        """Once per batch, after the commit: copies to Redis (pipelined, idempotent)."""


@contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """Hundreds of thousands of states held at once make each cyclic collection walk
    them all, again and again (a fifth of a rebuild's time); they hold no cycles."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def json_rows(rows: list[dict]) -> str:
    """Rows for jsonb_to_recordset (dates and times as ISO 8601)."""
    return json.dumps(rows, separators=(",", ":"), ensure_ascii=False, default=_iso)


def _iso(value: Any) -> str:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
