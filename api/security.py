"""JWT setup: short-lived access tokens, rotated refresh tokens, each valid only while
its session is live (adapters/revocations.py); roles read from the users table. One
token verifier (`TokenVerifier`) serves the Flask app and the hot reads."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from functools import wraps

from flask import Flask, current_app, has_app_context, request
from flask_jwt_extended import (JWTManager, create_access_token, create_refresh_token,
                                get_jwt_identity)
from flask_jwt_extended.config import config as jwt_config

from api.errors import error_response
from movienexus.config import Settings

VERIFIED_TOKENS = 4096
VERIFIER = "movienexus.tokens"


class TokenVerifier:
    """A token's claims once its signature and times check out, by flask-jwt-extended's
    own decode from the app's configuration: every decode option in force (algorithms,
    audience, issuer, leeway, the identity claim...) applies on both paths. A token
    verified before (the same bytes) is only checked for expiry again: a client sends
    one access token for its whole lifetime, and a decode costs ~30 µs. An invalid token
    raises flask-jwt-extended's or PyJWT's error."""

    def __init__(self, app: Flask):
        self.app = app
        self._verified: dict[str, tuple[dict, float]] = {}    # token → (claims, deadline)

    def claims(self, token: str) -> dict:
        found = self._verified.get(token)
        if found is not None and time.time() < found[1]:
            return found[0]
        if has_app_context():
            return self._decoded(token)
        with self.app.app_context():
            return self._decoded(token)

    def _decoded(self, token: str) -> dict:
        claims = JWTManager._decode_jwt_from_config(jwt, token)
        if isinstance(claims.get("exp"), int):
            leeway = jwt_config.leeway
            seconds = leeway.total_seconds() if isinstance(leeway, timedelta) else leeway
            if len(self._verified) >= VERIFIED_TOKENS:
                self._verified.pop(next(iter(self._verified)))
            self._verified[token] = (claims, claims["exp"] + seconds)
        return claims


class VerifyingJWTManager(JWTManager):
    """flask-jwt-extended, decoding through the app's TokenVerifier."""

    def _decode_jwt_from_config(self, encoded_token: str, csrf_value=None,
                                allow_expired: bool = False) -> dict:
        if csrf_value is not None or allow_expired:
            return super()._decode_jwt_from_config(encoded_token, csrf_value, allow_expired)
        return current_app.extensions[VERIFIER].claims(encoded_token)


jwt = VerifyingJWTManager()

# POST /auth/refresh takes the refresh token in its body; the older form (the refresh token
# as `Authorization: Bearer`) keeps working until the sunset, and its answers say so.
REFRESH_AS_BEARER_DEPRECATED = datetime(2026, 12, 4, tzinfo=timezone.utc)
REFRESH_AS_BEARER_SUNSET = datetime(2027, 6, 30, tzinfo=timezone.utc)


def configure(app: Flask, settings: Settings) -> None:
    app.config.update(
        JWT_SECRET_KEY=settings.jwt_secret_key,
        JWT_ACCESS_TOKEN_EXPIRES=timedelta(minutes=settings.access_token_minutes),
        JWT_REFRESH_TOKEN_EXPIRES=timedelta(days=settings.refresh_token_days),
        JWT_TOKEN_LOCATION=["headers"],
        JWT_ERROR_MESSAGE_KEY="message",
    )
    jwt.init_app(app)
    app.extensions[VERIFIER] = TokenVerifier(app)


def issue_tokens(user_id: str, session_id: str, role: str, refresh_jti: str,
                 settings: Settings) -> dict:
    access = create_access_token(identity=user_id,
                                 additional_claims={"sid": session_id, "role": role})
    refresh = create_refresh_token(identity=user_id,
                                   additional_claims={"sid": session_id, "jti": refresh_jti})
    return {"access_token": access, "refresh_token": refresh, "token_type": "Bearer",
            "expires_in": round(settings.access_token_minutes * 60)}


def deprecated_refresh_headers() -> dict[str, str]:
    """RFC 9745's Deprecation and RFC 8594's Sunset, for the older refresh form."""
    return {"Deprecation": f"@{int(REFRESH_AS_BEARER_DEPRECATED.timestamp())}",
            "Sunset": format_datetime(REFRESH_AS_BEARER_SUNSET, usegmt=True)}


def _unauthorized(message: str):
    return error_response(401, message, headers={"WWW-Authenticate": "Bearer"})


@jwt.token_in_blocklist_loader
def _session_not_live(_header: dict, payload: dict) -> bool:
    """A signature is not enough: the session must exist, be active, be the token
    user's, and that user must exist with the credentials the login checked."""
    from api.context import container
    user_id, session_id = payload.get("sub"), payload.get("sid")
    return not container().live_sessions.is_live(user_id, session_id)


@jwt.unauthorized_loader
def _missing(reason: str):
    if request.path.endswith("/auth/refresh"):
        return _unauthorized('Log in first, or send the refresh token: {"refresh_token": "<token>"}.')
    return _unauthorized("Log in first: send 'Authorization: Bearer <token>'.")


@jwt.invalid_token_loader
def _invalid(reason: str):
    if "refresh" in reason.lower():
        return _unauthorized(reason)
    return _unauthorized("The token is not valid; log in again.")


@jwt.expired_token_loader
def _expired(_header: dict, payload: dict):
    kind = "refresh" if payload.get("type") == "refresh" else "access"
    return _unauthorized(f"The {kind} token has expired.")


@jwt.revoked_token_loader
def _revoked(_header: dict, _payload: dict):
    return _unauthorized("This session has ended; log in again.")


@jwt.user_lookup_error_loader
def _unknown_user(_header: dict, _payload: dict):
    return _unauthorized("This account no longer exists.")


def role_required(role: str):
    """The stored user's role and a verified email (API.md: "a verified admin"); the
    token's `role` claim is for the frontend's display only."""
    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            from api.context import container
            standing = container().live_sessions.standing(get_jwt_identity())
            if standing is None or standing.role != role:
                return error_response(403, f"This needs the {role} role.")
            if not standing.email_verified:
                return error_response(403, f"The {role} role needs a verified email.")
            return view(*args, **kwargs)
        return wrapper
    return decorate
