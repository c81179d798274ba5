"""Signed, expiring tokens for email links (verification and password reset).

Stateless: a verification token stops working once the address is verified, and
a reset token carries the account's credentials version, so it stops working as
soon as the password changes. Nothing secret is stored in the event log.
"""
from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

VERIFY = "verify-email"
RESET = "reset-password"


class EmailTokenInvalid(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class VerifyClaims:
    user_id: str
    email: str


@dataclass(frozen=True)
class ResetClaims:
    user_id: str
    credentials_version: int


class EmailTokens:
    def __init__(self, secret: str, verify_max_age: int, reset_max_age: int):
        self._verify = URLSafeTimedSerializer(secret, salt=VERIFY)
        self._reset = URLSafeTimedSerializer(secret, salt=RESET)
        self._verify_max_age = verify_max_age
        self._reset_max_age = reset_max_age

    def verification_token(self, user_id: str, email: str) -> str:
        return self._verify.dumps({"u": user_id, "e": email})

    def reset_token(self, user_id: str, credentials_version: int) -> str:
        return self._reset.dumps({"u": user_id, "c": credentials_version})

    def read_verification(self, token: str) -> VerifyClaims:
        data = _load(self._verify, token, self._verify_max_age, "verification")
        return VerifyClaims(user_id=str(data["u"]), email=str(data["e"]))

    def read_reset(self, token: str) -> ResetClaims:
        data = _load(self._reset, token, self._reset_max_age, "reset")
        return ResetClaims(user_id=str(data["u"]), credentials_version=int(data["c"]))


def _load(serializer: URLSafeTimedSerializer, token: str, max_age: int, kind: str) -> dict:
    try:
        data = serializer.loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise EmailTokenInvalid(f"This {kind} link has expired; ask for a new one.") from exc
    except BadSignature as exc:
        raise EmailTokenInvalid(f"This {kind} link is invalid.") from exc
    if not isinstance(data, dict) or "u" not in data:
        raise EmailTokenInvalid(f"This {kind} link is invalid.")
    return data
