"""The User and Session aggregates."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from domain.accounts import events, policy
from domain.aggregate import Aggregate
from domain.errors import Conflict, InvalidInput

DEFAULT_PROFILE: dict[str, Any] = {
    "bio": "", "location": "", "timezone": "", "preferred_language": "",
    "favorite_genres": [], "privacy": "private",
}
NAME_FIELDS = ("first_name", "last_name")


@dataclass(eq=False)
class User(Aggregate):
    email: str = ""
    password_hash: str = ""
    first_name: str = ""
    last_name: str = ""
    role: str = "user"
    email_verified: bool = False
    credentials_version: int = 1
    profile: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_PROFILE))
    created_at: datetime | None = None

    aggregate_type = "user"

    @classmethod
    def register(cls, user_id: str, email: str, password_hash: str, first_name: str,
                 last_name: str, now: datetime) -> "User":
        user = cls(id=user_id, email=email, password_hash=password_hash,
                   first_name=first_name, last_name=last_name, created_at=now)
        user.record(events.UserRegistered(
            email=email, first_name=first_name, last_name=last_name, role=user.role,
            created_at=now.isoformat(), profile=dict(user.profile)))
        return user

    def verify_email(self, email: str, now: datetime) -> None:
        if self.email_verified or email != self.email:
            raise InvalidInput("This verification link was already used or is invalid.",
                               field="token")
        self.email_verified = True
        self.record(events.EmailVerified(email=email, verified_at=now.isoformat()))

    def update_profile(self, changes: dict[str, Any], now: datetime) -> None:
        applied = self._changed_fields(changes)
        if not applied:
            return
        for name in NAME_FIELDS:
            if name in applied:
                setattr(self, name, applied[name])
        if "profile" in applied:
            self.profile = {**self.profile, **applied["profile"]}
        self.record(events.ProfileUpdated(changes=applied, updated_at=now.isoformat()))

    def _changed_fields(self, changes: dict[str, Any]) -> dict[str, Any]:
        applied = {n: changes[n] for n in NAME_FIELDS
                   if n in changes and changes[n] != getattr(self, n)}
        profile_changes = {k: v for k, v in changes.get("profile", {}).items()
                           if self.profile.get(k) != v}
        for key in profile_changes:
            if key not in DEFAULT_PROFILE:
                raise InvalidInput(f"Unknown profile field {key!r}.", field=key)
        policy.check_timezone(profile_changes.get("timezone"))
        policy.check_language(profile_changes.get("preferred_language"))
        if profile_changes:
            applied["profile"] = profile_changes
        return applied

    def change_password(self, new_hash: str, now: datetime, *, via_reset: bool) -> None:
        self.password_hash = new_hash
        self.credentials_version += 1
        self.record(events.PasswordChanged(changed_at=now.isoformat(), via_reset=via_reset))

    def rehash_password(self, new_hash: str) -> None:
        """A stronger hash of the same password: no event, nothing others can see."""
        self.password_hash = new_hash
        self.touch()


@dataclass(eq=False)
class Session(Aggregate):
    """One login: it owns the refresh-token family; a spent token coming back kills it."""

    user_id: str = ""
    refresh_jti: str = ""
    # The user's credentials version the login was checked against: when the password
    # changes, a session of an older version is no longer valid.
    credentials_version: int = 1
    ip: str = ""
    user_agent: str = ""
    created_at: datetime | None = None
    last_seen_at: datetime | None = None
    revoked_at: datetime | None = None
    revoke_reason: str | None = None

    aggregate_type = "session"

    @classmethod
    def start(cls, session_id: str, user_id: str, refresh_jti: str, ip: str,
              user_agent: str, now: datetime, *, credentials_version: int) -> "Session":
        session = cls(id=session_id, user_id=user_id, refresh_jti=refresh_jti, ip=ip,
                      user_agent=user_agent, created_at=now, last_seen_at=now,
                      credentials_version=credentials_version)
        session.record(events.SessionStarted(
            user_id=user_id, ip=ip, user_agent=user_agent, started_at=now.isoformat()))
        return session

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def holds_credentials(self, user: User) -> bool:
        """Started (or kept) with the user's current password."""
        return self.user_id == user.id and self.credentials_version == user.credentials_version

    def renew_credentials(self, credentials_version: int) -> None:
        """The caller's own session survives their password change: no event, nothing
        others can see."""
        self.credentials_version = credentials_version
        self.touch()

    def accepts(self, presented_jti: str) -> bool:
        return self.is_active and presented_jti == self.refresh_jti

    def rotate(self, new_jti: str, ip: str, user_agent: str, now: datetime) -> None:
        if not self.is_active:
            raise Conflict("This session has ended.")
        self.refresh_jti, self.ip, self.user_agent, self.last_seen_at = (
            new_jti, ip, user_agent, now)
        self.record(events.SessionRefreshed(
            user_id=self.user_id, ip=ip, user_agent=user_agent, refreshed_at=now.isoformat()))

    def revoke(self, reason: str, now: datetime) -> None:
        if not self.is_active:
            return
        self.revoked_at, self.revoke_reason = now, reason
        self.record(events.SessionRevoked(
            user_id=self.user_id, reason=reason, revoked_at=now.isoformat()))


@dataclass(eq=False)
class MailRequest(Aggregate):
    """A request for an account mail (verification, password reset), recorded alike for
    every address, so the request does the same work whether or not the address has an
    account; the email reactor looks the address up and decides. Its one event is all
    there is of it (no state row)."""

    aggregate_type = "mail_request"
    VERIFICATION = "verification"
    PASSWORD_RESET = "password_reset"

    @classmethod
    def ask(cls, request_id: str, kind: str, email: str) -> "MailRequest":
        request = cls(id=request_id)
        request.record(events.MailRequested(kind=kind, email=email))
        return request
