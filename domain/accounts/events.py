"""What happens to accounts. Payloads never hold secrets (no hashes, no tokens)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from domain.events import DomainEvent


@dataclass(frozen=True)
class UserEvent(DomainEvent):
    aggregate_type = "user"


@dataclass(frozen=True)
class UserRegistered(UserEvent):
    email: str
    first_name: str
    last_name: str
    role: str
    created_at: str
    profile: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class VerificationEmailRequested(UserEvent):
    """No longer recorded (a MailRequested instead, since issue 17); older logs hold it."""

    email: str


@dataclass(frozen=True)
class EmailVerified(UserEvent):
    email: str
    verified_at: str


@dataclass(frozen=True)
class ProfileUpdated(UserEvent):
    changes: dict[str, Any]
    updated_at: str


@dataclass(frozen=True)
class PasswordChanged(UserEvent):
    changed_at: str
    via_reset: bool = False


@dataclass(frozen=True)
class PasswordResetRequested(UserEvent):
    """No longer recorded (a MailRequested instead, since issue 17); older logs hold it."""

    email: str
    credentials_version: int


@dataclass(frozen=True)
class MailRequestEvent(DomainEvent):
    aggregate_type = "mail_request"


@dataclass(frozen=True)
class MailRequested(MailRequestEvent):
    """Someone asked for an account mail for this address, whether or not it has an
    account: the email reactor decides whether a mail goes out."""

    kind: str
    email: str


@dataclass(frozen=True)
class SessionEvent(DomainEvent):
    aggregate_type = "session"


@dataclass(frozen=True)
class SessionStarted(SessionEvent):
    user_id: str
    ip: str
    user_agent: str
    started_at: str


@dataclass(frozen=True)
class SessionRefreshed(SessionEvent):
    user_id: str
    ip: str
    user_agent: str
    refreshed_at: str


@dataclass(frozen=True)
class SessionRevoked(SessionEvent):
    user_id: str
    reason: str
    revoked_at: str


# The events that ask for an email (the relay routes them to the notifications queue,
# the reactor writes the mail): their type names, defined by the classes above.
MAILED_EVENTS = frozenset(event.event_type() for event in (UserRegistered, MailRequested))
