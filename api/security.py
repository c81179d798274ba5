"""JWT setup: short-lived access tokens, rotated refresh tokens, each valid only while
its session is live (adapters/revocations.py); roles read from the users table."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from functools import wraps

from flask import Flask, request
from flask_jwt_extended import (JWTManager, create_access_token, create_refresh_token,
                                get_jwt_identity)

from api.errors import error_response
from movienexus.config import Settings

jwt = JWTManager()

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
