"""Projections of the account events: /me (Postgres row + Redis document) and sessions."""
from __future__ import annotations

import json
from dataclasses import dataclass, replace

from sqlalchemy import Connection, Engine, select, text, update
from sqlalchemy.dialects.postgresql import insert

from adapters.messaging.envelope import Envelope
from adapters.revocations import LiveSessions
from read_models.projections.framework import (
    Outcome,
    PostgresProjection,
    handles,
    json_rows,
)
from read_models.stores.account_documents import dump, me_key
from read_models.stores.redis_docs import RedisDocuments
from read_models.stores.tables import read_sessions, read_users

# What the events mean for the /me document: pure functions, used by the per-event
# handlers and by the rebuild's fold alike.

def registered_document(event: Envelope) -> dict:
    p = event.payload
    return {"id": event.aggregate_id, "email": p["email"], "first_name": p["first_name"],
            "last_name": p["last_name"], "email_verified": False, "role": p["role"],
            "created_at": p["created_at"], "profile": p["profile"]}


def document_changes(event: Envelope) -> tuple[dict, dict]:
    """(top-level fields, profile keys) an event merges into the document; every other
    event of a user only moves the document's version."""
    if event.event_type == "EmailVerified":
        return {"email_verified": True}, {}
    if event.event_type == "ProfileUpdated":
        changes = dict(event.payload["changes"])
        return changes, changes.pop("profile", None) or {}
    return {}, {}


def merged_document(doc: dict, fields: dict, profile: dict) -> dict:
    """_MERGE_DOC in Python (the fold's copy; the rebuild's tests hold them equal)."""
    return {**doc, **fields, "profile": {**doc["profile"], **profile}}


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
    tables = frozenset({"read_users"})      # what it reads and writes (the rebuild's)

    def __init__(self, engine: Engine, documents: RedisDocuments,
                 live_sessions: LiveSessions | None = None):
        super().__init__(engine)
        self.documents = documents
        self.live_sessions = live_sessions

    @handles("UserRegistered")
    def registered(self, conn, event: Envelope) -> tuple[dict, int]:
        """A registration that meets its own row (applied twice) changes nothing."""
        doc = registered_document(event)
        conn.execute(insert(read_users).values(
            user_id=event.aggregate_id, email=doc["email"], doc=doc,
            version=event.aggregate_version).on_conflict_do_nothing())
        return doc, event.aggregate_version

    @handles("EmailVerified", "ProfileUpdated")
    def changed(self, conn, event: Envelope) -> tuple[dict, int]:
        return self._merge(conn, event, *document_changes(event))

    def unhandled(self, conn, event: Envelope) -> tuple[dict, int]:
        return self._merge(conn, event, {}, {})

    def bulk_fold(self, conn: Connection, shared: dict) -> "UsersFold":
        return UsersFold(conn)

    def after_commit(self, envelope: Envelope, outcome: Outcome, result) -> None:
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


@dataclass(frozen=True)
class UserRow:
    user_id: str
    email: str
    doc: dict
    version: int


_LOAD_USERS = text("SELECT user_id::text, email, doc, version FROM read_users "
                   "WHERE user_id = ANY(CAST(:ids AS uuid[]))")
_SAVE_USERS = text("""
    INSERT INTO read_users AS u (user_id, email, doc, version)
    SELECT r.user_id, r.email, r.doc, r.version
    FROM jsonb_to_recordset(CAST(:rows AS jsonb))
         AS r(user_id uuid, email text, doc jsonb, version integer)
    ON CONFLICT (user_id) DO UPDATE
    SET doc = EXCLUDED.doc, version = EXCLUDED.version, updated_at = now()
""")


class UsersFold:
    """UsersTable's bulk path: the same documents, folded in memory, saved in one
    statement. Fails where the handlers fail (a change to a user never registered)."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def load(self, aggregate_ids: list[str]) -> dict[str, UserRow]:
        rows = self.conn.execute(_LOAD_USERS, {"ids": aggregate_ids})
        return {row.user_id: UserRow(row.user_id, row.email, row.doc, row.version)
                for row in rows}

    def evolve(self, state: UserRow | None, event: Envelope) -> UserRow:
        if event.event_type == "UserRegistered":
            if state is not None:       # as the handler: a second registration is a no-op
                return state
            doc = registered_document(event)
            return UserRow(event.aggregate_id, doc["email"], doc, event.aggregate_version)
        if state is None:
            raise LookupError(f"user {event.aggregate_id} is not in read_users")
        return replace(state, doc=merged_document(state.doc, *document_changes(event)),
                       version=event.aggregate_version)

    def save(self, conn: Connection, states: dict[str, UserRow]) -> None:
        rows = [{"user_id": s.user_id, "email": s.email, "doc": s.doc, "version": s.version}
                for s in states.values()]
        conn.execute(_SAVE_USERS, {"rows": json_rows(rows)})


def session_row(event: Envelope) -> dict:
    """The read_sessions row a SessionStarted creates."""
    p = event.payload
    return {"session_id": event.aggregate_id, "user_id": p["user_id"],
            "created_at": p["started_at"], "last_seen_at": p["started_at"], "ip": p["ip"],
            "user_agent": p["user_agent"], "revoked_at": None, "revoke_reason": None}


def session_changes(event: Envelope) -> dict:
    """What a later session event changes in its row (nothing, for the others)."""
    p = event.payload
    if event.event_type == "SessionRefreshed":
        return {"last_seen_at": p["refreshed_at"], "ip": p["ip"],
                "user_agent": p["user_agent"]}
    if event.event_type == "SessionRevoked":
        return {"revoked_at": p["revoked_at"], "revoke_reason": p["reason"]}
    return {}


class SessionsTable(PostgresProjection):
    """The sessions list; it also re-asserts the live-session record of a revoked session
    (idempotent), in case the API could not write it when the revocation happened. A
    Redis error there fails the delivery, so the worker retries until Redis is back."""

    name = "sessions_table"
    follows = frozenset({"session"})
    tables = frozenset({"read_sessions"})

    def __init__(self, engine: Engine, live_sessions: LiveSessions):
        super().__init__(engine)
        self.live_sessions = live_sessions

    def after_commit(self, envelope: Envelope, outcome: Outcome, result) -> None:
        if envelope.event_type == "SessionRevoked":
            self.live_sessions.assert_revoked(envelope.aggregate_id)

    @handles("SessionStarted")
    def started(self, conn, event: Envelope) -> None:
        """A start that meets its own row (applied twice) changes nothing: never
        un-revokes a session."""
        conn.execute(insert(read_sessions).values(session_row(event)).on_conflict_do_nothing())

    @handles("SessionRefreshed", "SessionRevoked")
    def changed(self, conn, event: Envelope) -> None:
        conn.execute(update(read_sessions).where(
            read_sessions.c.session_id == event.aggregate_id).values(session_changes(event)))

    def bulk_fold(self, conn: Connection, shared: dict) -> "SessionsFold":
        return SessionsFold(conn)


_SESSION_COLUMNS = ("session_id", "user_id", "created_at", "last_seen_at", "ip", "user_agent",
                    "revoked_at", "revoke_reason")
_LOAD_SESSIONS = text(f"SELECT {', '.join(_SESSION_COLUMNS)} FROM read_sessions "
                      "WHERE session_id = ANY(CAST(:ids AS uuid[]))")
_SAVE_SESSIONS = text(f"""
    INSERT INTO read_sessions ({', '.join(_SESSION_COLUMNS)})
    SELECT {', '.join(_SESSION_COLUMNS)}
    FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(session_id uuid, user_id uuid,
        created_at timestamptz, last_seen_at timestamptz, ip text, user_agent text,
        revoked_at timestamptz, revoke_reason text)
    ON CONFLICT (session_id) DO UPDATE SET last_seen_at = EXCLUDED.last_seen_at,
        ip = EXCLUDED.ip, user_agent = EXCLUDED.user_agent,
        revoked_at = EXCLUDED.revoked_at, revoke_reason = EXCLUDED.revoke_reason
""")


class SessionsFold:
    """SessionsTable's bulk path (rows as dicts). A change to a session that has no
    row changes nothing, as the handler's UPDATE does."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def load(self, aggregate_ids: list[str]) -> dict[str, dict]:
        rows = self.conn.execute(_LOAD_SESSIONS, {"ids": aggregate_ids}).mappings()
        return {str(row["session_id"]): {**row, "session_id": str(row["session_id"]),
                                         "user_id": str(row["user_id"])} for row in rows}

    def evolve(self, state: dict | None, event: Envelope) -> dict | None:
        if event.event_type == "SessionStarted":
            return session_row(event) if state is None else state   # as the handler
        changes = session_changes(event)
        return {**state, **changes} if state is not None and changes else state

    def save(self, conn: Connection, states: dict[str, dict]) -> None:
        conn.execute(_SAVE_SESSIONS, {"rows": json_rows(list(states.values()))})
