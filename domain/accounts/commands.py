"""What people ask of their accounts, in the imperative."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Command:
    pass


@dataclass(frozen=True)
class RegisterUser(Command):
    email: str
    password: str
    first_name: str = ""
    last_name: str = ""


@dataclass(frozen=True)
class VerifyEmail(Command):
    user_id: str
    email: str


@dataclass(frozen=True)
class RequestVerificationEmail(Command):
    email: str


@dataclass(frozen=True)
class Login(Command):
    email: str
    password: str
    ip: str
    user_agent: str


@dataclass(frozen=True)
class RefreshSession(Command):
    user_id: str
    session_id: str
    refresh_jti: str
    ip: str
    user_agent: str


@dataclass(frozen=True)
class Logout(Command):
    user_id: str
    session_id: str


@dataclass(frozen=True)
class RevokeSession(Command):
    user_id: str
    session_id: str


@dataclass(frozen=True)
class ChangePassword(Command):
    user_id: str
    session_id: str
    current_password: str
    new_password: str


@dataclass(frozen=True)
class RequestPasswordReset(Command):
    email: str


@dataclass(frozen=True)
class ResetPassword(Command):
    user_id: str
    credentials_version: int
    new_password: str


@dataclass(frozen=True)
class UpdateProfile(Command):
    user_id: str
    changes: dict[str, Any] = field(default_factory=dict)
