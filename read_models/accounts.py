"""Projections of the account events: /me (Postgres row + Redis document) and sessions."""
from __future__ import annotations

import json

from sqlalchemy import Engine, insert, select, text, update

from read_models.envelope import Envelope
from read_models.framework import Outcome, PostgresProjection, Projection, handles
from read_models.redis_docs import RedisDocuments
from read_models.tables import read_sessions, read_users


def me_key(user_id: str) -> str:
    return f"me:{user_id}"


def dump(document: dict) -> str:
    return json.dumps(document, separators=(",", ":"), sort_keys=True)


class UsersTable(PostgresProjection):
    """`read_users.doc` is the body of GET /me, ready to send."""

    name = "users_table"
    follows = frozenset({"user"})

    @handles("UserRegistered")
    def registered(self, conn, event: Envelope) -> None:
        p = event.payload
        doc = {"id": event.aggregate_id, "email": p["email"], "first_name": p["first_name"],
               "last_name": p["last_name"], "email_verified": False, "role": p["role"],
               "created_at": p["created_at"], "profile": p["profile"]}
        conn.execute(insert(read_users).values(
            user_id=event.aggregate_id, email=p["email"], doc=doc,
            version=event.aggregate_version))

    @handles("EmailVerified")
    def verified(self, conn, event: Envelope) -> None:
        self._merge(conn, event, {"email_verified": True})

    @handles("ProfileUpdated")
    def profile_updated(self, conn, event: Envelope) -> None:
        changes = dict(event.payload["changes"])
        profile = changes.pop("profile", None)
        doc = self._doc(conn, event.aggregate_id)
        doc.update(changes)
        if profile:
            doc["profile"] = {**doc["profile"], **profile}
        self._store(conn, event, doc)

    def unhandled(self, conn, event: Envelope) -> None:
        conn.execute(update(read_users).where(read_users.c.user_id == event.aggregate_id)
                     .values(version=event.aggregate_version))

    def _merge(self, conn, event: Envelope, fields: dict) -> None:
        self._store(conn, event, {**self._doc(conn, event.aggregate_id), **fields})

    def _doc(self, conn, user_id: str) -> dict:
        return dict(conn.execute(select(read_users.c.doc).where(
            read_users.c.user_id == user_id)).scalar_one())

    def _store(self, conn, event: Envelope, doc: dict) -> None:
        conn.execute(update(read_users).where(read_users.c.user_id == event.aggregate_id)
                     .values(doc=doc, version=event.aggregate_version, updated_at=text("now()")))


class UserDocumentCache(Projection):
    """Copies the read row into Redis once the table has it. It writes the row's
    version, never the event's, so replays and duplicates only ever move forward."""

    name = "user_document_cache"
    follows = frozenset({"user"})

    def __init__(self, engine: Engine, documents: RedisDocuments):
        self.engine = engine
        self.documents = documents

    def apply(self, envelope: Envelope) -> Outcome:
        with self.engine.connect() as conn:
            row = conn.execute(select(read_users.c.doc, read_users.c.version).where(
                read_users.c.user_id == envelope.aggregate_id)).first()
        if row is None or row.version < envelope.aggregate_version:
            return Outcome.EARLY
        return self.documents.put(me_key(envelope.aggregate_id), dump(row.doc), row.version)


class SessionsTable(PostgresProjection):
    name = "sessions_table"
    follows = frozenset({"session"})

    @handles("SessionStarted")
    def started(self, conn, event: Envelope) -> None:
        p = event.payload
        conn.execute(insert(read_sessions).values(
            session_id=event.aggregate_id, user_id=p["user_id"], created_at=p["started_at"],
            last_seen_at=p["started_at"], ip=p["ip"], user_agent=p["user_agent"]))

    @handles("SessionRefreshed")
    def refreshed(self, conn, event: Envelope) -> None:
        p = event.payload
        self._update(conn, event, last_seen_at=p["refreshed_at"], ip=p["ip"],
                     user_agent=p["user_agent"])

    @handles("SessionRevoked")
    def revoked(self, conn, event: Envelope) -> None:
        p = event.payload
        self._update(conn, event, revoked_at=p["revoked_at"], revoke_reason=p["reason"])

    def _update(self, conn, event: Envelope, **values) -> None:
        conn.execute(update(read_sessions).where(
            read_sessions.c.session_id == event.aggregate_id).values(**values))
