"""In-memory stand-ins for the unit of work and its repositories (cosmicpython's
FakeUnitOfWork): committed state is kept as copies, so a command that fails leaves
nothing behind, and a stale version is a ConcurrencyConflict as in PostgreSQL."""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from domain.aggregate import Aggregate
from domain.errors import ConcurrencyConflict
from domain.events import DomainEvent
from domain.ports import (CommitResult, CuratedListRepository, GenreCatalogRepository,
                          LibraryRepository, MailRequestRepository, MovieRepository,
                          SessionRepository, UnitOfWork, UserRepository)


class FakeStore:
    """Committed aggregates by (type, id), the event log, and the position counter."""

    def __init__(self):
        self.aggregates: dict[tuple[str, str], Aggregate] = {}
        self.events: list[tuple[int, str, str, int, DomainEvent]] = []

    def load(self, aggregate_type: str, aggregate_id: str) -> Aggregate | None:
        stored = self.aggregates.get((aggregate_type, str(aggregate_id)))
        return copy.deepcopy(stored)

    def events_of(self, aggregate_type: str, aggregate_id: str) -> list[DomainEvent]:
        return [e for _, t, i, _, e in self.events if (t, i) == (aggregate_type, aggregate_id)]


class _Repository:
    aggregate_type = ""

    def __init__(self, uow: "FakeUnitOfWork"):
        self.uow = uow

    def _get(self, aggregate_id) -> Aggregate | None:
        aggregate = self.uow.store.load(self.aggregate_type, str(aggregate_id))
        return self.uow.track(aggregate) if aggregate is not None else None

    def add(self, aggregate: Aggregate) -> None:
        self.uow.track(aggregate)


class FakeUsers(_Repository, UserRepository):
    aggregate_type = "user"

    def get(self, user_id):
        return self._get(user_id)

    def get_by_email(self, email):
        found = [a for (t, _), a in self.uow.store.aggregates.items()
                 if t == "user" and a.email == email]
        return self._get(found[0].id) if found else None


class FakeSessions(_Repository, SessionRepository):
    aggregate_type = "session"

    def get(self, session_id, for_update=False):
        if for_update:
            self.uow.sessions_locked.append(session_id)
        return self._get(session_id)

    def active_for_user(self, user_id):
        return [self._get(a.id) for (t, _), a in self.uow.store.aggregates.items()
                if t == "session" and a.user_id == user_id and a.is_active]


class FakeMailRequests(_Repository, MailRequestRepository):
    aggregate_type = "mail_request"


class FakeMovies(_Repository, MovieRepository):
    aggregate_type = "movie"

    def get(self, tmdb_id):
        return self._get(tmdb_id)


class FakeGenres(_Repository, GenreCatalogRepository):
    aggregate_type = "genre_catalog"

    def get(self, catalog_id):
        return self._get(catalog_id)


class FakeLists(_Repository, CuratedListRepository):
    aggregate_type = "curated_list"

    def get(self, name):
        return self._get(name)


class FakeLibraries(_Repository, LibraryRepository):
    """Loads the whole library (a superset of what the SQL repository loads)."""

    aggregate_type = "library"

    def get(self, user_id, tmdb_id):
        self.uow.libraries_asked.append((user_id, tmdb_id))
        return self._get(user_id)

    def get_many(self, user_id, tmdb_ids):
        return self._get(user_id)


@dataclass
class FakeUnitOfWork(UnitOfWork):
    store: FakeStore = field(default_factory=FakeStore)
    committed: int = 0
    sessions_locked: list[str] = field(default_factory=list)  # get(..., for_update=True)
    libraries_asked: list[tuple[str, int]] = field(default_factory=list)  # (user, movie)
    _seen: list[Aggregate] = field(default_factory=list)

    def __enter__(self) -> "FakeUnitOfWork":
        self._seen = []
        self.result = CommitResult()
        self.users, self.sessions = FakeUsers(self), FakeSessions(self)
        self.mail_requests = FakeMailRequests(self)
        self.movies, self.genres, self.lists = FakeMovies(self), FakeGenres(self), FakeLists(self)
        self.libraries = FakeLibraries(self)
        return self

    def track(self, aggregate: Aggregate) -> Aggregate:
        self._seen.append(aggregate)
        return aggregate

    def commit(self) -> CommitResult:
        changed = [a for a in self._seen if a.changed]
        for aggregate in changed:
            stored = self.store.aggregates.get((aggregate.aggregate_type, aggregate.id))
            if (stored.version if stored else 0) != aggregate.version:
                raise ConcurrencyConflict("Another request changed this at the same time.")
        last = None
        for aggregate in changed:
            for event in aggregate.take_events():
                aggregate.version += 1
                last = (len(self.store.events) + 1, aggregate.aggregate_type, aggregate.id,
                        aggregate.version, event)
                self.store.events.append(last)
            if hasattr(aggregate, "dirty"):
                aggregate.dirty.clear()
            self.store.aggregates[(aggregate.aggregate_type, aggregate.id)] = \
                copy.deepcopy(aggregate)
        self.committed += 1
        if last:
            self.result = CommitResult(last[0], last[1], last[2], last[3],
                                       event_count=sum(1 for _ in changed))
        return self.result

    def rollback(self) -> None:
        self._seen = []


class FakeClock:
    """Starts at a fixed instant; `advance` moves it."""

    def __init__(self, now: datetime = datetime(2026, 11, 25, 12, tzinfo=timezone.utc)):
        self.current = now

    def now(self) -> datetime:
        return self.current

    def advance(self, seconds: float = 1.0) -> None:
        self.current += timedelta(seconds=seconds)
