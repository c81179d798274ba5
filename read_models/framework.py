"""A small projection framework: version-gated, idempotent, checkpointed with its rows.

Each projection follows some aggregate types and keeps, per aggregate, the last
version it applied. An event at or below it is a duplicate (skipped); one more
than it is applied; anything further ahead arrived early and must wait. Events of
a followed aggregate that the projection has no handler for still advance the
checkpoint, so the versions it sees have no gaps.
"""
from __future__ import annotations

import enum
from typing import Any, Callable, ClassVar

from sqlalchemy import Connection, Engine, text

from adapters.messaging.envelope import Envelope


class Outcome(enum.Enum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"
    EARLY = "early"


def gate(applied_version: int, event_version: int) -> Outcome:
    if event_version <= applied_version:
        return Outcome.DUPLICATE
    if event_version == applied_version + 1:
        return Outcome.APPLIED
    return Outcome.EARLY


def handles(*event_types: str) -> Callable:
    """Mark a projection method as the handler of these event types."""
    def mark(method: Callable) -> Callable:
        method.handled_event_types = event_types
        return method
    return mark


class Projection:
    name: ClassVar[str]
    follows: ClassVar[frozenset[str]]
    _handlers: ClassVar[dict[str, str]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._handlers = {
            event_type: attr
            for klass in reversed(cls.__mro__)
            for attr, member in vars(klass).items()
            for event_type in getattr(member, "handled_event_types", ())
        }

    def follows_event(self, envelope: Envelope) -> bool:
        return envelope.aggregate_type in self.follows

    def handler_for(self, event_type: str) -> Callable | None:
        name = self._handlers.get(event_type)
        return getattr(self, name) if name else None

    def apply(self, envelope: Envelope) -> Outcome:
        raise NotImplementedError


# One round trip: creates the checkpoint row if missing, locks it, returns its version.
_LOCK_CHECKPOINT = text("""
    INSERT INTO projection_checkpoints AS c (projection, aggregate_id, version)
    VALUES (:projection, :aggregate_id, 0)
    ON CONFLICT (projection, aggregate_id) DO UPDATE SET version = c.version
    RETURNING c.version
""")
_ADVANCE_CHECKPOINT = text("""
    UPDATE projection_checkpoints SET version = :version
    WHERE projection = :projection AND aggregate_id = :aggregate_id
""")


class PostgresProjection(Projection):
    """Rows and checkpoint commit in one transaction; the checkpoint row is locked,
    so two workers holding the same event cannot both apply it."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def apply(self, envelope: Envelope) -> Outcome:
        key = {"projection": self.name, "aggregate_id": envelope.aggregate_id}
        result = None
        with self.engine.begin() as conn:
            applied = conn.execute(_LOCK_CHECKPOINT, key).scalar_one()
            outcome = gate(applied, envelope.aggregate_version)
            if outcome is Outcome.APPLIED:
                handler = self.handler_for(envelope.event_type) or self.unhandled
                result = handler(conn, envelope)
                conn.execute(_ADVANCE_CHECKPOINT, {**key, "version": envelope.aggregate_version})
        self.after_commit(envelope, outcome, result)
        return outcome

    def after_commit(self, envelope: Envelope, outcome: Outcome, result: object) -> None:
        """Runs after the rows and checkpoint committed (also for duplicates), e.g. to
        copy what was written into Redis. Must be idempotent."""

    def unhandled(self, conn: Connection, envelope: Envelope) -> None:
        """An event of a followed aggregate that changes nothing here."""
