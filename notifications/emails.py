"""The text of each email; links point at the frontend (PUBLIC_BASE_URL)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    body: str


def verification(to: str, base_url: str, token: str) -> Email:
    link = f"{base_url}/verify-email?token={token}"
    return Email(to, "Confirm your Movie Nexus email", (
        "Welcome to Movie Nexus!\n\n"
        f"Confirm your email address by opening this link:\n\n{link}\n\n"
        f"Or send this token to POST /api/v1/auth/verify-email:\n\n{token}\n\n"
        "If you did not sign up, ignore this email.\n"))


def password_reset(to: str, base_url: str, token: str, minutes: int) -> Email:
    link = f"{base_url}/reset-password?token={token}"
    return Email(to, "Reset your Movie Nexus password", (
        "Someone asked to reset the password of your Movie Nexus account.\n\n"
        f"Choose a new password here (valid for {minutes} minutes):\n\n{link}\n\n"
        f"Or send this token to POST /api/v1/auth/password/reset/confirm:\n\n{token}\n\n"
        "If it was not you, ignore this email: your password stays as it is.\n"))
