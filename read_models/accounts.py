"""Projections of the account events: /me (Postgres row + Redis document) and sessions."""
from __future__ import annotations

import json

from sqlalchemy import Engine, insert, select, text, update

from adapters.revocations import LiveSessions
from read_models.envelope import Envelope
from read_models.framework import Outcome, PostgresProjection, handles
from read_models.redis_docs import RedisDocuments
from read_models.tables import read_sessions, read_users


def me_key(user_id: str) -> str:
    return f"me:{user_id}"


def dump(document: dict) -> str:
    return json.dumps(document, separators=(",", ":"), sort_keys=True)


_MERGE_DOC = text("""
    UPDATE read_users
    SET doc = jsonb_set(doc || CAST(:fields AS jsonb), '{profile}',
                        (doc -> 'profile') || CAST(:profile AS jsonb)),
        version = :version, updated_at = now()
    WHERE user_id = :user_id
    RETURNING doc, version
""")


class UsersTable(PostgresProjection):
    """`read_users.doc` is the body of GET /me. Once a change commits, the same
    document goes to Redis, written only if newer than what Redis holds (a Lua
    script), so Redis never goes back in time and can be refilled from here."""

    name = "users_table"
    follows = frozenset({"user"})

    def __init__(self, engine: Engine, documents: RedisDocuments,
                 live_sessions: LiveSessions | None = None):
        super().__init__(engine)
        self.documents = documents
        self.live_sessions = live_sessions

    @handles("UserRegistered")
    def registered(self, conn, event: Envelope) -> tuple[dict, int]:
        p = event.payload
        doc = {"id": event.aggregate_id, "email": p["email"], "first_name": p["first_name"],
               "last_name": p["last_name"], "email_verified": False, "role": p["role"],
               "created_at": p["created_at"], "profile": p["profile"]}
        conn.execute(insert(read_users).values(
            user_id=event.aggregate_id, email=p["email"], doc=doc,
            version=event.aggregate_version))
        return doc, event.aggregate_version

    @handles("EmailVerified")
    def verified(self, conn, event: Envelope) -> tuple[dict, int]:
        return self._merge(conn, event, {"email_verified": True}, {})

    @handles("ProfileUpdated")
    def profile_updated(self, conn, event: Envelope) -> tuple[dict, int]:
        changes = dict(event.payload["changes"])
        profile = changes.pop("profile", None) or {}
        return self._merge(conn, event, changes, profile)

    def unhandled(self, conn, event: Envelope) -> tuple[dict, int]:
        return self._merge(conn, event, {}, {})

    def after_commit(self, envelope: Envelope, outcome: Outcome, result) -> None:
        if outcome is Outcome.EARLY:
            return
        if envelope.event_type == "PasswordChanged" and self.live_sessions is not None:
            # Sessions checked against the old password stop even if the API could not
            # tell Redis (the next check asks PostgreSQL).
            self.live_sessions.forget_user(envelope.aggregate_id)
        doc, version = result if result else self._stored(envelope.aggregate_id)
        if doc is not None:
            self.documents.put(me_key(envelope.aggregate_id), dump(doc), version)

    def _merge(self, conn, event: Envelope, fields: dict, profile: dict) -> tuple[dict, int]:
        row = conn.execute(_MERGE_DOC, {
            "fields": json.dumps(fields), "profile": json.dumps(profile),
            "version": event.aggregate_version, "user_id": event.aggregate_id}).one()
        return row.doc, row.version

    def _stored(self, user_id: str) -> tuple[dict | None, int]:
        """A duplicate delivery: copy the row again, in case the first copy was lost."""
        with self.engine.connect() as conn:
            row = conn.execute(select(read_users.c.doc, read_users.c.version).where(
                read_users.c.user_id == user_id)).first()
        return (row.doc, row.version) if row else (None, 0)


class SessionsTable(PostgresProjection):
    """The sessions list; it also re-asserts the live-session record of a revoked session
    (idempotent), in case the API could not write it when the revocation happened. A
    Redis error there fails the delivery, so the worker retries until Redis is back."""

    name = "sessions_table"
    follows = frozenset({"session"})

    def __init__(self, engine: Engine, live_sessions: LiveSessions):
        super().__init__(engine)
        self.live_sessions = live_sessions

    def after_commit(self, envelope: Envelope, outcome: Outcome, result) -> None:
        if envelope.event_type == "SessionRevoked" and outcome is not Outcome.EARLY:
            self.live_sessions.assert_revoked(envelope.aggregate_id)

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
