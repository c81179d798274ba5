"""Command handlers: load through the unit of work, call the aggregate, commit."""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from domain.accounts import commands, policy
from domain.accounts.model import MailRequest, Session, User
from domain.errors import AuthenticationFailed, Conflict, InvalidInput, NotFound, \
    RefreshTokenReused
from domain.ports import Clock, PasswordHasher, UnitOfWork

WRONG_CREDENTIALS = "Wrong email or password."
_dummy_hash: dict[int, str] = {}


def _spend_a_verification(hasher: PasswordHasher, password: str) -> None:
    """Verify against a real hash when the email is unknown, so that the answer
    takes as long as for a known email and timing tells nothing either."""
    key = id(hasher)
    if key not in _dummy_hash:
        _dummy_hash[key] = hasher.hash("unknown-account-" + uuid.uuid4().hex)
    hasher.verify(_dummy_hash[key], password)


@dataclass(frozen=True)
class LoginResult:
    user: User
    session_id: str
    refresh_jti: str


@dataclass(frozen=True)
class RefreshResult:
    session_id: str
    refresh_jti: str
    role: str


@dataclass(frozen=True)
class CredentialsChanged:
    """A new password: the sessions revoked, and the one kept (a change, not a reset)."""

    user_id: str
    credentials_version: int
    revoked: list[str]
    kept_session: str | None = None


def _new_id() -> str:
    return str(uuid.uuid4())


def register_user(cmd: commands.RegisterUser, uow: UnitOfWork, hasher: PasswordHasher,
                  clock: Clock) -> User:
    email = policy.normalise_email(cmd.email)
    policy.check_password(cmd.password, email)
    with uow:
        if uow.users.get_by_email(email) is not None:
            raise Conflict("An account with this email already exists.", field="email")
        user = User.register(_new_id(), email, hasher.hash(cmd.password),
                             cmd.first_name.strip(), cmd.last_name.strip(), clock.now())
        uow.users.add(user)
        uow.commit()
    return user


def verify_email(cmd: commands.VerifyEmail, uow: UnitOfWork, clock: Clock) -> User:
    with uow:
        user = uow.users.get(cmd.user_id)
        if user is None:
            raise InvalidInput("This verification link is invalid.", field="token")
        user.verify_email(cmd.email, clock.now())
        uow.commit()
    return user


def request_verification_email(cmd: commands.RequestVerificationEmail,
                               uow: UnitOfWork) -> None:
    _ask_for_mail(uow, MailRequest.VERIFICATION, cmd.email)


def login(cmd: commands.Login, uow: UnitOfWork, hasher: PasswordHasher,
          clock: Clock) -> LoginResult:
    with uow:
        user = uow.users.get_by_email(policy.normalise_email(cmd.email))
        if user is None:
            _spend_a_verification(hasher, cmd.password)
            raise AuthenticationFailed(WRONG_CREDENTIALS)
        if not hasher.verify(user.password_hash, cmd.password):
            raise AuthenticationFailed(WRONG_CREDENTIALS)
        if hasher.needs_rehash(user.password_hash):
            user.rehash_password(hasher.hash(cmd.password))
        session = Session.start(_new_id(), user.id, _new_id(), cmd.ip, cmd.user_agent,
                                clock.now(), credentials_version=user.credentials_version)
        uow.sessions.add(session)
        uow.commit()
    return LoginResult(user=user, session_id=session.id, refresh_jti=session.refresh_jti)


def refresh_session(cmd: commands.RefreshSession, uow: UnitOfWork,
                    clock: Clock) -> RefreshResult:
    """The session row is locked, so of two refreshes with one token the second always
    sees the first one's rotation: reuse is detected, never a 409."""
    with uow:
        session = uow.sessions.get(cmd.session_id, for_update=True)
        if session is None or session.user_id != cmd.user_id or not session.is_active:
            raise AuthenticationFailed("This session has ended; log in again.")
        if not session.accepts(cmd.refresh_jti):
            session.revoke("refresh_token_reused", clock.now())
            uow.commit()
            raise RefreshTokenReused(
                "This refresh token was already used; the session is revoked.")
        user = uow.users.get(cmd.user_id)
        if user is None or not session.holds_credentials(user):
            raise AuthenticationFailed("This session has ended; log in again.")
        session.rotate(_new_id(), cmd.ip, cmd.user_agent, clock.now())
        uow.commit()
    return RefreshResult(session.id, session.refresh_jti, user.role)


def logout(cmd: commands.Logout, uow: UnitOfWork, clock: Clock) -> None:
    revoke_session(commands.RevokeSession(cmd.user_id, cmd.session_id), uow, clock,
                   reason="logout")


def revoke_session(cmd: commands.RevokeSession, uow: UnitOfWork, clock: Clock,
                   reason: str = "revoked") -> None:
    with uow:
        session = uow.sessions.get(cmd.session_id)
        if session is None or session.user_id != cmd.user_id:
            raise NotFound("No such session.")
        session.revoke(reason, clock.now())
        uow.commit()


def change_password(cmd: commands.ChangePassword, uow: UnitOfWork, hasher: PasswordHasher,
                    clock: Clock) -> CredentialsChanged:
    """Revokes every session but the caller's, which moves to the new password."""
    with uow:
        user = _existing_user(uow, cmd.user_id)
        if not hasher.verify(user.password_hash, cmd.current_password):
            raise InvalidInput("The current password is wrong.", field="current_password")
        policy.check_password(cmd.new_password, user.email, field="new_password")
        user.change_password(hasher.hash(cmd.new_password), clock.now(), via_reset=False)
        revoked = _revoke_sessions(uow, user.id, "password_changed", clock,
                                   keep=cmd.session_id)
        kept = uow.sessions.get(cmd.session_id)
        if kept is not None and kept.user_id == user.id and kept.is_active:
            kept.renew_credentials(user.credentials_version)
        uow.commit()
    return CredentialsChanged(user.id, user.credentials_version, revoked, cmd.session_id)


def request_password_reset(cmd: commands.RequestPasswordReset, uow: UnitOfWork) -> None:
    _ask_for_mail(uow, MailRequest.PASSWORD_RESET, cmd.email)


def _ask_for_mail(uow: UnitOfWork, kind: str, email: str) -> None:
    """The same work for any address, known or not (nothing to time): one request
    recorded, no lookup; the email reactor decides whether a mail goes out."""
    with uow:
        uow.mail_requests.add(MailRequest.ask(_new_id(), kind, policy.normalise_email(email)))
        uow.commit()


def reset_password(cmd: commands.ResetPassword, uow: UnitOfWork, hasher: PasswordHasher,
                   clock: Clock) -> CredentialsChanged:
    with uow:
        user = uow.users.get(cmd.user_id)
        if user is None or user.credentials_version != cmd.credentials_version:
            raise InvalidInput("This reset link was already used or has expired.",
                               field="token")
        policy.check_password(cmd.new_password, user.email, field="new_password")
        user.change_password(hasher.hash(cmd.new_password), clock.now(), via_reset=True)
        revoked = _revoke_sessions(uow, user.id, "password_reset", clock)
        uow.commit()
    return CredentialsChanged(user.id, user.credentials_version, revoked)


def update_profile(cmd: commands.UpdateProfile, uow: UnitOfWork, clock: Clock) -> User:
    with uow:
        user = _existing_user(uow, cmd.user_id)
        user.update_profile(cmd.changes, clock.now())
        uow.commit()
    return user


def _existing_user(uow: UnitOfWork, user_id: str) -> User:
    user = uow.users.get(user_id)
    if user is None:
        raise NotFound("No such user.")
    return user


def _revoke_sessions(uow: UnitOfWork, user_id: str, reason: str, clock: Clock,
                     keep: str | None = None) -> list[str]:
    revoked = []
    for session in uow.sessions.active_for_user(user_id):
        if session.id != keep:
            session.revoke(reason, clock.now())
            revoked.append(session.id)
    return revoked


HANDLERS = {
    commands.RegisterUser: register_user,
    commands.VerifyEmail: verify_email,
    commands.RequestVerificationEmail: request_verification_email,
    commands.Login: login,
    commands.RefreshSession: refresh_session,
    commands.Logout: logout,
    commands.RevokeSession: revoke_session,
    commands.ChangePassword: change_password,
    commands.RequestPasswordReset: request_password_reset,
    commands.ResetPassword: reset_password,
    commands.UpdateProfile: update_profile,
}
