"""What the domain needs from the outside world, as interfaces only."""
from __future__ import annotations

import abc
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Protocol, TYPE_CHECKING

if TYPE_CHECKING:
    from domain.accounts.model import MailRequest, Session, User
    from domain.catalog.model import CuratedList, GenreCatalog, Movie
    from domain.library.model import Library


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool: ...

    def needs_rehash(self, password_hash: str) -> bool: ...


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


@dataclass(frozen=True)
class MessageContext:
    """Who caused a write and which request it belongs to; copied into every event."""

    correlation_id: str | None = None
    causation_id: str | None = None
    actor_id: str | None = None


@dataclass(frozen=True)
class CommitResult:
    """What a commit wrote: the last event's coordinates make the consistency token."""

    last_position: int | None = None
    last_aggregate_type: str | None = None
    last_aggregate_id: str | None = None
    last_aggregate_version: int | None = None
    event_count: int = 0
    # (aggregate type, aggregate id, its last version) for every aggregate written
    aggregates: tuple[tuple[str, str, int], ...] = ()


class UserRepository(abc.ABC):
    @abc.abstractmethod
    def get(self, user_id: str) -> "User | None": ...

    @abc.abstractmethod
    def get_by_email(self, email: str) -> "User | None": ...

    @abc.abstractmethod
    def add(self, user: "User") -> None: ...


class SessionRepository(abc.ABC):
    @abc.abstractmethod
    def get(self, session_id: str, for_update: bool = False) -> "Session | None":
        """`for_update`: lock the session until the commit (refresh rotation)."""

    @abc.abstractmethod
    def active_for_user(self, user_id: str) -> list["Session"]: ...

    @abc.abstractmethod
    def add(self, session: "Session") -> None: ...


class MailRequestRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, request: "MailRequest") -> None: ...


class MovieRepository(abc.ABC):
    @abc.abstractmethod
    def get(self, tmdb_id: int) -> "Movie | None": ...

    @abc.abstractmethod
    def add(self, movie: "Movie") -> None: ...


class GenreCatalogRepository(abc.ABC):
    @abc.abstractmethod
    def get(self, catalog_id: str) -> "GenreCatalog | None": ...

    @abc.abstractmethod
    def add(self, catalog: "GenreCatalog") -> None: ...


class CuratedListRepository(abc.ABC):
    @abc.abstractmethod
    def get(self, name: str) -> "CuratedList | None": ...

    @abc.abstractmethod
    def add(self, curated: "CuratedList") -> None: ...


class LibraryRepository(abc.ABC):
    @abc.abstractmethod
    def get(self, user_id: str, tmdb_id: int) -> "Library | None":
        """The person's library with this movie's entries loaded (a command on a
        movie reads no other entry); None when the person has no library yet."""

    @abc.abstractmethod
    def get_many(self, user_id: str, tmdb_ids: list[int]) -> "Library | None":
        """The person's library, locked until the commit (their other writes wait),
        with these movies' entries loaded: an import's batch."""

    @abc.abstractmethod
    def add(self, library: "Library") -> None: ...


@dataclass
class UnitOfWork(abc.ABC):
    """One transaction: state changes and their events commit together or not at all."""

    context: MessageContext = field(default_factory=MessageContext)
    result: CommitResult = field(default_factory=CommitResult)
    users: UserRepository = field(init=False)
    sessions: SessionRepository = field(init=False)
    mail_requests: MailRequestRepository = field(init=False)
    movies: MovieRepository = field(init=False)
    genres: GenreCatalogRepository = field(init=False)
    lists: CuratedListRepository = field(init=False)
    libraries: LibraryRepository = field(init=False)

    def __enter__(self) -> "UnitOfWork":
        return self

    def __exit__(self, *exc: object) -> None:
        self.rollback()

    @abc.abstractmethod
    def commit(self) -> CommitResult: ...

    @abc.abstractmethod
    def rollback(self) -> None: ...
