"""Projections of the account events: /me (Postgres row + Redis document) and sessions.

Each is one fold (read_models.projections.framework.Fold), run by the live workers a
batch at a time and by the rebuild over the whole log."""
from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import Connection, text

from adapters.messaging.envelope import Envelope
from adapters.revocations import LiveSessions
from domain.accounts import events
from read_models.projections.framework import AppliedBatch, FoldProjection, json_rows
from read_models.stores.account_documents import dump, me_key
from read_models.stores.redis_docs import RedisDocuments

USER_REGISTERED = events.UserRegistered.event_type()
EMAIL_VERIFIED = events.EmailVerified.event_type()
PROFILE_UPDATED = events.ProfileUpdated.event_type()
PASSWORD_CHANGED = events.PasswordChanged.event_type()
SESSION_STARTED = events.SessionStarted.event_type()
SESSION_REFRESHED = events.SessionRefreshed.event_type()
SESSION_REVOKED = events.SessionRevoked.event_type()


def registered_document(event: Envelope) -> dict:
    p = event.payload
    return {"id": event.aggregate_id, "email": p["email"], "first_name": p["first_name"],
            "last_name": p["last_name"], "email_verified": False, "role": p["role"],
            "created_at": p["created_at"], "profile": p["profile"]}


def document_changes(event: Envelope) -> tuple[dict, dict]:
    """(top-level fields, profile keys) an event merges into the document; every other
    event of a user only moves the document's version."""
    if event.event_type == EMAIL_VERIFIED:
        return {"email_verified": True}, {}
    if event.event_type == PROFILE_UPDATED:
        changes = dict(event.payload["changes"])
        return changes, changes.pop("profile", None) or {}
    return {}, {}


def merged_document(doc: dict, fields: dict, profile: dict) -> dict:
    return {**doc, **fields, "profile": {**doc["profile"], **profile}}


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
    ORDER BY r.user_id
    ON CONFLICT (user_id) DO UPDATE
    SET doc = EXCLUDED.doc, version = EXCLUDED.version, updated_at = now()
""")


def _missing(states: dict, events_: list[Envelope]) -> list[str]:
    return sorted({e.aggregate_id for e in events_} - states.keys())


class UsersFold:
    """The /me documents. A second registration meets its own row and changes nothing;
    a change to a user never registered fails (poison)."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def prepare(self, states: dict[str, UserRow | None], events_: list[Envelope]) -> None:
        if missing := _missing(states, events_):
            for row in self.conn.execute(_LOAD_USERS, {"ids": missing}):
                states[row.user_id] = UserRow(row.user_id, row.email, row.doc, row.version)

    def evolve(self, state: UserRow | None, event: Envelope) -> UserRow:
        if event.event_type == USER_REGISTERED:
            if state is not None:
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


class UsersTable(FoldProjection):
    """`read_users.doc` is the body of GET /me. Once a batch commits, the same documents
    go to Redis, each written only if newer than what Redis holds (a Lua script), so
    Redis never goes back in time and can be refilled from here."""

    name = "users_table"
    follows = frozenset({"user"})
    tables = frozenset({"read_users"})      # what it reads and writes (the rebuild's)

    def __init__(self, documents: RedisDocuments, live_sessions: LiveSessions | None = None):
        self.documents = documents
        self.live_sessions = live_sessions

    def fold(self, conn: Connection, shared: dict) -> UsersFold:
        return UsersFold(conn)

    def after_commit(self, batch: AppliedBatch) -> None:
        if self.live_sessions is not None:
            # Sessions checked against the old password stop even if the API could not
            # tell Redis (the next check asks PostgreSQL).
            for user_id in {e.aggregate_id for e in batch.applied + batch.duplicates
                            if e.event_type == PASSWORD_CHANGED}:
                self.live_sessions.forget_user(user_id)
        self.documents.put_many((me_key(user_id), dump(state.doc), state.version)
                                for user_id, state in batch.states.items())


def session_row(event: Envelope) -> dict:
    """The read_sessions row a SessionStarted creates."""
    p = event.payload
    return {"session_id": event.aggregate_id, "user_id": p["user_id"],
            "created_at": p["started_at"], "last_seen_at": p["started_at"], "ip": p["ip"],
            "user_agent": p["user_agent"], "revoked_at": None, "revoke_reason": None}


def session_changes(event: Envelope) -> dict:
    """What a later session event changes in its row (nothing, for the others)."""
    p = event.payload
    if event.event_type == SESSION_REFRESHED:
        return {"last_seen_at": p["refreshed_at"], "ip": p["ip"],
                "user_agent": p["user_agent"]}
    if event.event_type == SESSION_REVOKED:
        return {"revoked_at": p["revoked_at"], "revoke_reason": p["reason"]}
    return {}


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
    ORDER BY session_id
    ON CONFLICT (session_id) DO UPDATE SET last_seen_at = EXCLUDED.last_seen_at,
        ip = EXCLUDED.ip, user_agent = EXCLUDED.user_agent,
        revoked_at = EXCLUDED.revoked_at, revoke_reason = EXCLUDED.revoke_reason
""")


class SessionsFold:
    """Rows as dicts. A start that meets its own row changes nothing (a session is never
    un-revoked); a change to a session that has no row changes nothing."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def prepare(self, states: dict[str, dict | None], events_: list[Envelope]) -> None:
        if missing := _missing(states, events_):
            for row in self.conn.execute(_LOAD_SESSIONS, {"ids": missing}).mappings():
                states[str(row["session_id"])] = {**row, "session_id": str(row["session_id"]),
                                                  "user_id": str(row["user_id"])}

    def evolve(self, state: dict | None, event: Envelope) -> dict | None:
        if event.event_type == SESSION_STARTED:
            return session_row(event) if state is None else state
        changes = session_changes(event)
        return {**state, **changes} if state is not None and changes else state

    def save(self, conn: Connection, states: dict[str, dict]) -> None:
        conn.execute(_SAVE_SESSIONS, {"rows": json_rows(list(states.values()))})


class SessionsTable(FoldProjection):
    """The sessions list; it also re-asserts the live-session record of a revoked session
    (idempotent), in case the API could not write it when the revocation happened. A
    Redis error there fails the delivery, so the worker retries until Redis is back."""

    name = "sessions_table"
    follows = frozenset({"session"})
    tables = frozenset({"read_sessions"})

    def __init__(self, live_sessions: LiveSessions):
        self.live_sessions = live_sessions

    def fold(self, conn: Connection, shared: dict) -> SessionsFold:
        return SessionsFold(conn)

    def after_commit(self, batch: AppliedBatch) -> None:
        self.live_sessions.assert_revoked_all(sorted({
            e.aggregate_id for e in batch.applied + batch.duplicates
            if e.event_type == SESSION_REVOKED}))
