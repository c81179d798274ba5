"""Repositories map aggregates to rows; the unit of work decides when they are written."""
from __future__ import annotations

from typing import Callable

from sqlalchemy import Connection, Table, insert, select, update

from adapters.db import tables
from domain.accounts.model import MailRequest, Session, User
from domain.aggregate import Aggregate
from domain.errors import ConcurrencyConflict
from domain.ports import MailRequestRepository, SessionRepository, UserRepository

Track = Callable[[Aggregate, "RowMapper"], Aggregate]


class RowMapper:
    """Writes one aggregate type: insert when new, else update guarded by version."""

    table: Table
    columns: tuple[str, ...]

    def __init__(self, connection: Connection, track: Track):
        self.connection = connection
        self._track = track

    def to_row(self, aggregate: Aggregate) -> dict:
        return {name: getattr(aggregate, name) for name in self.columns}

    def save(self, aggregate: Aggregate, new_version: int) -> None:
        row = {**self.to_row(aggregate), "version": new_version}
        if aggregate.version == 0:
            self.connection.execute(insert(self.table).values(id=aggregate.id, **row))
            return
        result = self.connection.execute(
            update(self.table)
            .where(self.table.c.id == aggregate.id, self.table.c.version == aggregate.version)
            .values(**row))
        if result.rowcount != 1:
            raise ConcurrencyConflict(
                f"This {aggregate.aggregate_type} was changed by another request; retry.")

    def _one(self, *criteria) -> dict | None:
        row = self.connection.execute(select(self.table).where(*criteria)).mappings().first()
        return dict(row) if row else None


class SqlUserRepository(RowMapper, UserRepository):
    table = tables.users
    columns = ("email", "password_hash", "first_name", "last_name", "role", "email_verified",
               "credentials_version", "profile", "created_at")

    def get(self, user_id: str) -> User | None:
        return self._load(self._one(self.table.c.id == user_id))

    def get_by_email(self, email: str) -> User | None:
        return self._load(self._one(self.table.c.email == email))

    def add(self, user: User) -> None:
        self._track(user, self)

    def _load(self, row: dict | None) -> User | None:
        if row is None:
            return None
        row["id"] = str(row["id"])
        return self._track(User(**row), self)


class SqlSessionRepository(RowMapper, SessionRepository):
    table = tables.sessions
    columns = ("user_id", "refresh_jti", "credentials_version", "ip", "user_agent",
               "created_at", "last_seen_at", "revoked_at", "revoke_reason")

    def get(self, session_id: str, for_update: bool = False) -> Session | None:
        query = select(self.table).where(self.table.c.id == session_id)
        if for_update:
            query = query.with_for_update()
        row = self.connection.execute(query).mappings().first()
        return self._load(dict(row) if row else None)

    def active_for_user(self, user_id: str) -> list[Session]:
        rows = self.connection.execute(select(self.table).where(
            self.table.c.user_id == user_id, self.table.c.revoked_at.is_(None))).mappings()
        return [self._load(dict(row)) for row in rows]

    def add(self, session: Session) -> None:
        self._track(session, self)

    def _load(self, row: dict | None) -> Session | None:
        if row is None:
            return None
        row["id"], row["user_id"] = str(row["id"]), str(row["user_id"])
        return self._track(Session(**row), self)


class SqlMailRequestRepository(RowMapper, MailRequestRepository):
    """A mail request has no row: its one event, in the log, is all there is of it."""

    def save(self, aggregate: Aggregate, new_version: int) -> None:
        pass

    def add(self, request: MailRequest) -> None:
        self._track(request, self)
