"""The SQLAlchemy unit of work: state rows and event rows in one transaction."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import Connection, Engine, Transaction, insert, text
from sqlalchemy.exc import IntegrityError

from adapters.db import tables
from adapters.db.catalog_repositories import (SqlCuratedListRepository,
                                              SqlGenreCatalogRepository, SqlMovieRepository)
from adapters.db.library_repositories import SqlLibraryRepository
from adapters.messaging.outbox import OUTBOX_CHANNEL
from adapters.db.repositories import RowMapper, SqlMailRequestRepository, \
    SqlSessionRepository, SqlUserRepository
from domain.aggregate import Aggregate
from domain.errors import Conflict, ConcurrencyConflict
from domain.events import DomainEvent
from domain.ports import CommitResult, UnitOfWork



@dataclass
class SqlAlchemyUnitOfWork(UnitOfWork):
    engine: Engine | None = None
    connection: Connection | None = field(default=None, init=False)
    _transaction: Transaction | None = field(default=None, init=False)
    _seen: dict[int, tuple[Aggregate, RowMapper]] = field(default_factory=dict, init=False)

    def __enter__(self) -> "SqlAlchemyUnitOfWork":
        self.connection = self.engine.connect()
        self._transaction = self.connection.begin()
        self._seen = {}
        self.result = CommitResult()
        self.users = SqlUserRepository(self.connection, self._track)
        self.sessions = SqlSessionRepository(self.connection, self._track)
        self.mail_requests = SqlMailRequestRepository(self.connection, self._track)
        self.movies = SqlMovieRepository(self.connection, self._track)
        self.genres = SqlGenreCatalogRepository(self.connection, self._track)
        self.lists = SqlCuratedListRepository(self.connection, self._track)
        self.libraries = SqlLibraryRepository(self.connection, self._track)
        return self

    def __exit__(self, *exc: object) -> None:
        self.rollback()
        self.connection.close()

    def _track(self, aggregate: Aggregate, mapper: RowMapper) -> Aggregate:
        self._seen[id(aggregate)] = (aggregate, mapper)
        return aggregate

    def commit(self) -> CommitResult:
        try:
            rows = [row for aggregate, mapper in self._seen.values()
                    for row in self._flush(aggregate, mapper)]
            self.result = self._write_events(rows)
            self._transaction.commit()
        except IntegrityError as exc:
            self._transaction.rollback()
            raise _conflict_for(exc) from exc
        return self.result

    def rollback(self) -> None:
        if self._transaction is not None and self._transaction.is_active:
            self._transaction.rollback()

    def _flush(self, aggregate: Aggregate, mapper: RowMapper) -> list[dict]:
        if not aggregate.changed:
            return []
        events = aggregate.take_events()
        mapper.save(aggregate, aggregate.version + len(events))
        rows = [self._event_row(aggregate, event, aggregate.version + n)
                for n, event in enumerate(events, start=1)]
        aggregate.version += len(events)
        return rows

    def _event_row(self, aggregate: Aggregate, event: DomainEvent, version: int) -> dict:
        return {
            "event_id": str(uuid.uuid4()),
            "event_type": event.event_type(),
            "event_version": event.schema_version,
            "aggregate_type": aggregate.aggregate_type,
            "aggregate_id": aggregate.id,
            "aggregate_version": version,
            "occurred_at": datetime.now(timezone.utc),
            "payload": event.payload(),
            "correlation_id": self.context.correlation_id,
            "causation_id": self.context.causation_id,
            "actor_id": self.context.actor_id,
        }

    def _write_events(self, rows: list[dict]) -> CommitResult:
        if not rows:
            return CommitResult()
        positions = self.connection.execute(
            insert(tables.events).returning(tables.events.c.position), rows).scalars().all()
        self.connection.execute(text(f"NOTIFY {OUTBOX_CHANNEL}"))
        last = rows[-1]
        versions = {(r["aggregate_type"], r["aggregate_id"]): r["aggregate_version"]
                    for r in rows}
        return CommitResult(last_position=max(positions),
                            last_aggregate_type=last["aggregate_type"],
                            last_aggregate_id=last["aggregate_id"],
                            last_aggregate_version=last["aggregate_version"],
                            event_count=len(rows),
                            aggregates=tuple((t, i, v) for (t, i), v in versions.items()))


def _conflict_for(exc: IntegrityError) -> Conflict:
    constraint = getattr(getattr(exc.orig, "diag", None), "constraint_name", "") or ""
    if constraint == "uq_users_email":
        return Conflict("An account with this email already exists.", field="email")
    return ConcurrencyConflict("Another request changed this at the same time; retry.")
