"""The projections' bulk path, for the rebuild: events fold in memory, rows written once.

Each projection is a FoldProjection (read_models.projections.framework): the same
fold the live workers run a batch at a time runs here over pages of the log.
`shared` is one dict for every fold until the next flush: folds that read what
another keeps (the movies fold reads the genre names the genres fold keeps) meet
there. Folds save in the order of the projections.
States stay in memory across pages and are written when the applier flushes: when
it holds more than `max_states`, before an event that is applied alone, and when the
rebuild asks (before it compares checkpoints with the log). A flush writes every
changed row and every moved checkpoint and commits; the states are then dropped
and prepared again when their aggregates come back.

Checkpoints live in memory (the applier is the only writer of the tables it fills,
which start empty). An event that fails is recorded with its error, and its
aggregate is held back in that projection, as in the live workers. A row the
database refuses at a flush is found by halving the save; that aggregate goes back
to its last written checkpoint and from then on one event at a time (prepared,
evolved and saved alone, in a savepoint), which finds the event that fails.
"""
from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Iterable

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DataError, IntegrityError

from adapters.messaging.envelope import Envelope
from read_models.projections.framework import (
    Fold,
    Folding,
    FoldProjection,
    Outcome,
    Projection,
    gate,
)

log = logging.getLogger(__name__)

MAX_STATES = 150_000      # states held in memory before a flush
PARTS = 2                 # a big save goes in this many parts at once (2 cores here)...
PART_MIN = 5_000          # ...of at least this many states each


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
_WRITTEN_CHECKPOINTS = text("""
    SELECT aggregate_id, version FROM projection_checkpoints
    WHERE projection = :projection AND aggregate_id = ANY(CAST(:ids AS text[]))
""")


@dataclass
class Applied:
    """What an applier has written (after a flush): to carry it to another applier."""

    checkpoints: dict[str, dict[str, int]]
    failures: dict[tuple[str, str], Failure]
    one_by_one: set[tuple[str, str]]
    held_back: int


class BulkApplier:
    """Applies pages of events (in position order) to fresh tables through `engine`.
    Call `flush()` before reading what it wrote, and `close()` at the end."""

    def __init__(self, engine: Engine, projections: Iterable[Projection],
                 max_states: int = MAX_STATES):
        self.projections = list(projections)
        self.max_states = max_states
        self.engine = engine
        self.conn: Connection = engine.connect()
        self.checkpoints: dict[str, dict[str, int]] = {p.name: {} for p in self.projections}
        self.failures: dict[tuple[str, str], Failure] = {}
        self.held_back = 0
        self._unsaved: dict[str, dict[str, int]] = {p.name: {} for p in self.projections}
        self._folding: dict[str, Folding] = {}
        self._shared: dict = {}
        self._one_by_one: set[tuple[str, str]] = set()   # aggregates a flush refused
        self._followers: dict[str, list[Projection]] = {}

    def close(self) -> None:
        if not self.conn.closed:
            self.conn.rollback()
            self.conn.close()

    def applied_so_far(self) -> Applied:
        """Call after `flush()`."""
        return Applied({name: dict(mine) for name, mine in self.checkpoints.items()},
                       dict(self.failures), set(self._one_by_one), self.held_back)

    def absorb(self, applied: Applied) -> None:
        """Takes over what another applier wrote to the same tables (for other
        projections, or other aggregates)."""
        for name, mine in applied.checkpoints.items():
            self.checkpoints[name].update(mine)
        self.failures.update(applied.failures)
        self._one_by_one |= applied.one_by_one
        self.held_back += applied.held_back

    def followers(self, envelope: Envelope) -> list[Projection]:
        kind = envelope.aggregate_type
        if kind not in self._followers:
            self._followers[kind] = [p for p in self.projections if p.follows_event(envelope)]
        return self._followers[kind]

    def applied(self, projection_name: str, aggregate_id: str) -> int:
        return self.checkpoints[projection_name].get(aggregate_id, 0)

    def apply(self, envelopes: list[Envelope]) -> None:
        """A page of events: runs that every follower can fold are folded; the rest
        are applied alone, each after a flush."""
        start = 0
        while start < len(envelopes):
            end = start
            while end < len(envelopes) and self._foldable(envelopes[end]):
                end += 1
            if end > start:
                self._fold(envelopes[start:end])
            else:
                self.flush()
                self._handle(envelopes[start], self.followers(envelopes[start]))
                end = start + 1
            start = end
        if sum(len(f.states) for f in self._folding.values()) > self.max_states:
            self.flush()

    def _foldable(self, envelope: Envelope) -> bool:
        return all(isinstance(p, FoldProjection)
                   and (p.name, envelope.aggregate_id) not in self._one_by_one
                   for p in self.followers(envelope))

    def _gate(self, projection: Projection, envelope: Envelope) -> bool:
        outcome = gate(self.applied(projection.name, envelope.aggregate_id),
                       envelope.aggregate_version)
        self.held_back += outcome is Outcome.EARLY
        return outcome is Outcome.APPLIED

    def _advance(self, projection: Projection, envelope: Envelope) -> None:
        for mine in (self.checkpoints[projection.name], self._unsaved[projection.name]):
            mine[envelope.aggregate_id] = envelope.aggregate_version
        self.failures.pop((projection.name, envelope.aggregate_id), None)

    def _fail(self, projection: Projection, envelope: Envelope, exc: Exception) -> None:
        first_line = f"{type(exc).__name__}: {exc}".splitlines()[0]
        self.failures[(projection.name, envelope.aggregate_id)] = Failure(
            projection.name, envelope, first_line[:300])

    def _folding_of(self, projection: Projection) -> Folding:
        if projection.name not in self._folding:
            self._folding[projection.name] = Folding(
                projection.fold(self.conn, self._shared))
        return self._folding[projection.name]

    def _fold(self, run: list[Envelope]) -> None:
        kinds = {e.aggregate_type for e in run}
        for projection in (p for p in self.projections if p.follows & kinds):
            folding = self._folding_of(projection)
            followed = [e for e in run if projection.follows_event(e)]
            for envelope in followed:
                if (envelope.aggregate_id not in folding.states
                        and self.applied(projection.name, envelope.aggregate_id) == 0):
                    folding.states[envelope.aggregate_id] = None
            folding.fold.prepare(folding.states, followed)
        for envelope in run:
            for projection in self.followers(envelope):
                if not self._gate(projection, envelope):
                    continue
                try:
                    self._folding[projection.name].evolve(envelope)
                except Exception as exc:  # noqa: BLE001 (recorded; its aggregate waits)
                    self._fail(projection, envelope, exc)
                    continue
                self._advance(projection, envelope)

    def _handle(self, envelope: Envelope, projections: list[Projection]) -> None:
        """One event alone through these projections, a savepoint each, with nothing
        held in memory (right after a flush)."""
        for projection in projections:
            fresh = self.applied(projection.name, envelope.aggregate_id) == 0
            if not self._gate(projection, envelope):
                continue
            try:
                with self.conn.begin_nested():
                    apply_alone(projection, self.conn, envelope, fresh)
            except Exception as exc:  # noqa: BLE001 (recorded; its aggregate waits)
                self._fail(projection, envelope, exc)
                continue
            self._advance(projection, envelope)

    def flush(self) -> None:
        """Writes every changed state and moved checkpoint, commits, forgets the states.
        The folds save in projection order, each in parts on connections of their own
        (after this one commits what handlers wrote, so no part waits on its locks)."""
        self.conn.commit()
        for name in (p.name for p in self.projections if p.name in self._folding):
            folding = self._folding[name]
            if changed := folding.changed_states():
                self._save(name, folding.fold, changed)
        rows = [(name, aggregate_id, version) for name, mine in self._unsaved.items()
                for aggregate_id, version in mine.items()]
        if rows:
            names, ids, versions = (list(column) for column in zip(*rows))
            self.conn.execute(_SAVE_CHECKPOINTS, {"projections": names, "ids": ids,
                                                  "versions": versions})
        self.conn.commit()
        self._folding.clear()
        self._shared = {}
        for mine in self._unsaved.values():
            mine.clear()

    def _save(self, name: str, fold: Fold, states: dict[str, Any]) -> None:
        items = list(states.items())
        size = max(PART_MIN, -(-len(items) // PARTS))
        parts = [dict(items[i:i + size]) for i in range(0, len(items), size)]
        with ThreadPoolExecutor(len(parts)) as savers:
            refused = [i for ids in savers.map(lambda part: self._save_part(fold, part), parts)
                       for i in ids]
        if not refused:
            return
        log.warning("%s: the database refused %d row(s); those aggregates go one event "
                    "at a time from their last written checkpoint", name, len(refused))
        written = dict(self.conn.execute(_WRITTEN_CHECKPOINTS, {
            "projection": name, "ids": refused}).all())
        for aggregate_id in refused:
            self.checkpoints[name][aggregate_id] = written.get(aggregate_id, 0)
            self._unsaved[name].pop(aggregate_id, None)
            self._one_by_one.add((name, aggregate_id))

    def _save_part(self, fold: Fold, states: dict[str, Any]) -> list[str]:
        with self.engine.connect() as conn:
            refused = self._save_halving(conn, fold, states)
            conn.commit()
        return refused

    def _save_halving(self, conn: Connection, fold: Fold, states: dict[str, Any]) -> list[str]:
        """Saves what the database takes; returns the aggregates whose row it refused."""
        try:
            with conn.begin_nested():
                fold.save(conn, states)
            return []
        except (DataError, IntegrityError):
            if len(states) == 1:
                return list(states)
        items = list(states.items())
        half = len(items) // 2
        return (self._save_halving(conn, fold, dict(items[:half]))
                + self._save_halving(conn, fold, dict(items[half:])))


def apply_alone(projection: Projection, conn: Connection, envelope: Envelope,
                 fresh: bool) -> None:
    """One event: prepared, evolved and saved (`fresh`: its aggregate has no rows yet)."""
    folding = Folding(projection.fold(conn, {}))
    folding.states = {envelope.aggregate_id: None} if fresh else {}
    folding.fold.prepare(folding.states, [envelope])
    folding.evolve(envelope)
    if changed := folding.changed_states():
        folding.fold.save(conn, changed)
