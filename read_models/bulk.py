"""The projections' bulk path, for the rebuild: many events per transaction.

A projection may offer a fold, `bulk_fold(conn)`, an object with
    load(aggregate_ids) -> {id: state}   the rows that exist, in one query
    evolve(state, envelope) -> state     the state after one event (None: no row);
                                         raises where the projection's handler would
    save({id: state})                    the changed rows, in a statement or two
so that a chunk of events folds in memory and writes each changed row once. The
handlers and the folds share the pure functions that say what an event means.

A projection without a fold (or an event some follower cannot fold) is applied
through the per-event handlers, in the same transaction, a savepoint each. Every
fold saves what it holds before such an event and starts afresh after it, so a
handler that reads or writes another projection's table (GenresSynced recounts
read_movies) sees what a one-by-one replay would have shown it.

Checkpoints live in memory (the applier is the only writer of the tables it fills,
which start empty) and are written once per chunk. An event that fails is recorded
with its error and its aggregate is held back in that projection, as in the live
workers. If a bulk save fails (the database refused a row), the chunk is rolled
back and applied again event by event through the handlers, which finds the event.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Iterable, Protocol

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DataError, IntegrityError

from read_models.envelope import Envelope
from read_models.framework import Outcome, Projection, gate

log = logging.getLogger(__name__)


class Fold(Protocol):
    def load(self, aggregate_ids: list[str]) -> dict[str, Any]: ...

    def evolve(self, state: Any, envelope: Envelope) -> Any: ...

    def save(self, states: dict[str, Any]) -> None: ...


def json_rows(rows: list[dict]) -> str:
    """Rows for jsonb_to_recordset (dates and times as ISO 8601)."""
    return json.dumps(rows, separators=(",", ":"), ensure_ascii=False, default=_iso)


def _iso(value: Any) -> str:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


@dataclass(frozen=True)
class Failure:
    """An event a projection could not apply (its aggregate waits behind it)."""

    projection: str
    envelope: Envelope
    error: str


_SAVE_CHECKPOINTS = text("""
    INSERT INTO projection_checkpoints AS c (projection, aggregate_id, version)
    SELECT * FROM unnest(CAST(:projections AS text[]), CAST(:ids AS text[]),
                         CAST(:versions AS integer[]))
    ON CONFLICT (projection, aggregate_id) DO UPDATE SET version = EXCLUDED.version
""")


class _Chunk:
    """What one transaction changes: checkpoints, failures, held-back events."""

    def __init__(self, applier: "BulkApplier", conn: Connection):
        self.applier, self.conn = applier, conn
        self.checkpoints: dict[str, dict[str, int]] = {p.name: {} for p in applier.projections}
        self.failures: dict[tuple[str, str], Failure] = {}
        self.held_back = 0

    def applied(self, projection: Projection, aggregate_id: str) -> int:
        mine = self.checkpoints[projection.name]
        if aggregate_id in mine:
            return mine[aggregate_id]
        return self.applier.checkpoints[projection.name].get(aggregate_id, 0)

    def gate(self, projection: Projection, envelope: Envelope) -> bool:
        outcome = gate(self.applied(projection, envelope.aggregate_id),
                       envelope.aggregate_version)
        self.held_back += outcome is Outcome.EARLY
        return outcome is Outcome.APPLIED

    def advance(self, projection: Projection, envelope: Envelope) -> None:
        self.checkpoints[projection.name][envelope.aggregate_id] = envelope.aggregate_version

    def fail(self, projection: Projection, envelope: Envelope, exc: Exception) -> None:
        first_line = f"{type(exc).__name__}: {exc}".splitlines()[0]
        self.failures[(projection.name, envelope.aggregate_id)] = Failure(
            projection.name, envelope, first_line[:300])

    def fold(self, run: list[Envelope]) -> None:
        """A run of events every follower can fold: load, evolve, save once."""
        followers = self.applier.followers
        states: dict[str, dict[str, Any]] = {}
        folds: dict[str, Fold] = {}
        dirty: dict[str, set[str]] = {}
        for projection in {p for e in run for p in followers(e)}:
            known = sorted({e.aggregate_id for e in run if projection.follows_event(e)
                            and self.applied(projection, e.aggregate_id) > 0})
            folds[projection.name] = fold = projection.bulk_fold(self.conn)
            states[projection.name] = fold.load(known) if known else {}
            dirty[projection.name] = set()
        for envelope in run:
            for projection in followers(envelope):
                if not self.gate(projection, envelope):
                    continue
                mine, aggregate_id = states[projection.name], envelope.aggregate_id
                state = mine.get(aggregate_id)
                try:
                    new = folds[projection.name].evolve(state, envelope)
                except Exception as exc:  # noqa: BLE001 (recorded; its aggregate waits)
                    self.fail(projection, envelope, exc)
                    continue
                if new is not state:
                    mine[aggregate_id] = new
                    dirty[projection.name].add(aggregate_id)
                self.advance(projection, envelope)
        for name, fold in folds.items():
            changed = {i: states[name][i] for i in dirty[name] if states[name][i] is not None}
            if changed:
                fold.save(changed)

    def handle(self, envelope: Envelope) -> None:
        """One event through its followers' own handlers, a savepoint each."""
        for projection in self.applier.followers(envelope):
            if not self.gate(projection, envelope):
                continue
            handler = projection.handler_for(envelope.event_type) or projection.unhandled
            try:
                with self.conn.begin_nested():
                    handler(self.conn, envelope)
            except Exception as exc:  # noqa: BLE001 (recorded; its aggregate waits)
                self.fail(projection, envelope, exc)
                continue
            self.advance(projection, envelope)

    def save_checkpoints(self) -> None:
        rows = [(name, aggregate_id, version) for name, mine in self.checkpoints.items()
                for aggregate_id, version in mine.items()]
        if rows:
            names, ids, versions = map(list, zip(*rows))
            self.conn.execute(_SAVE_CHECKPOINTS, {"projections": names, "ids": ids,
                                                  "versions": versions})


class BulkApplier:
    """Applies chunks of events (in position order) to fresh tables through `engine`."""

    def __init__(self, engine: Engine, projections: Iterable[Projection]):
        self.engine = engine
        self.projections = list(projections)
        self.checkpoints: dict[str, dict[str, int]] = {p.name: {} for p in self.projections}
        self.failures: dict[tuple[str, str], Failure] = {}
        self.held_back = 0
        self._followers: dict[str, list[Projection]] = {}

    def followers(self, envelope: Envelope) -> list[Projection]:
        kind = envelope.aggregate_type
        if kind not in self._followers:
            self._followers[kind] = [p for p in self.projections if p.follows_event(envelope)]
        return self._followers[kind]

    def foldable(self, envelope: Envelope) -> bool:
        return all(hasattr(p, "bulk_fold") for p in self.followers(envelope))

    def apply(self, envelopes: list[Envelope]) -> None:
        """One transaction for the chunk; event by event through the handlers if a
        bulk save is refused."""
        try:
            chunk = self._apply(envelopes, bulk=True)
        except (DataError, IntegrityError) as exc:   # a row the database refuses
            log.warning("a bulk save failed (%s); applying the chunk event by event",
                        type(exc.orig).__name__)
            chunk = self._apply(envelopes, bulk=False)
        for name, mine in chunk.checkpoints.items():
            self.checkpoints[name].update(mine)
        self.failures.update(chunk.failures)
        self.held_back += chunk.held_back
        for key, failure in list(self.failures.items()):   # applied since (a later try)
            if self.applied(*key) >= failure.envelope.aggregate_version:
                del self.failures[key]

    def _apply(self, envelopes: list[Envelope], bulk: bool) -> _Chunk:
        with self.engine.begin() as conn:
            chunk = _Chunk(self, conn)
            start = 0
            while start < len(envelopes):
                end = start
                while bulk and end < len(envelopes) and self.foldable(envelopes[end]):
                    end += 1
                if end > start:
                    chunk.fold(envelopes[start:end])
                else:
                    chunk.handle(envelopes[start])
                    end = start + 1
                start = end
            chunk.save_checkpoints()
        return chunk

    def applied(self, projection_name: str, aggregate_id: str) -> int:
        return self.checkpoints[projection_name].get(aggregate_id, 0)
