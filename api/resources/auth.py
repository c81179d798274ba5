"""/auth: register, verify, login, refresh, logout, passwords, sessions."""
from __future__ import annotations

from flask.views import MethodView
from flask_jwt_extended import get_jwt, get_jwt_request_location, jwt_required
from flask_smorest import Blueprint, abort

from adapters.email_tokens import EmailTokenInvalid
from api import limits
from api.commands import remember_own_write, run
from api.consistency import own_read, token_headers
from api.context import client_ip, container, current_session_id, current_user_id, \
    user_agent
from api.openapi import CONSISTENT_READ_HEADERS, DEPRECATION_HEADERS, WRITE_HEADERS, answers, \
    authenticated, consistent, operation_id
from api.schemas import accounts as schemas
from api.schemas.common import MessageSchema, PageQueryArgsSchema, page_envelope
from api.security import deprecated_refresh_headers
from domain.accounts import commands
from domain.errors import RefreshTokenReused
from read_models.queries.account_queries import sessions_of

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Accounts and sessions")

EMAIL_ON_ITS_WAY = {"message": "If that address has an account, an email is on its way."}


def public_user(user) -> dict:
    return {"id": user.id, "email": user.email, "first_name": user.first_name,
            "last_name": user.last_name, "email_verified": user.email_verified,
            "role": user.role}


@blp.route("/register")
class Register(MethodView):
    decorators = [limits.limit_from("register_rate_limit")]

    @blp.arguments(schemas.RegisterSchema())
    @blp.response(201, schemas.UserSchema, headers=WRITE_HEADERS)
    @answers(409, 429)
    @operation_id("registerUser")
    def post(self, body):
        """Create an account; a verification email follows."""
        outcome = run(commands.RegisterUser(**body))
        remember_own_write(outcome.value.id, outcome.commit)
        return public_user(outcome.value), 201, token_headers(outcome.commit)


@blp.route("/verify-email")
class VerifyEmail(MethodView):
    @blp.arguments(schemas.TokenSchema())
    @blp.response(200, schemas.VerifiedSchema, headers=WRITE_HEADERS)
    @answers(409)
    @operation_id("verifyEmail")
    def post(self, body):
        """Confirm an email address with the token from the email."""
        claims = _read(container().email_tokens.read_verification, body["token"])
        outcome = run(commands.VerifyEmail(user_id=claims.user_id, email=claims.email))
        remember_own_write(claims.user_id, outcome.commit)
        return {"email_verified": True}, 200, token_headers(outcome.commit)


@blp.route("/resend-verification")
class ResendVerification(MethodView):
    decorators = limits.mail_limits("verify")

    @blp.arguments(schemas.EmailSchema())
    @blp.response(202, MessageSchema)
    @answers(409, 429)
    @operation_id("resendVerificationEmail")
    def post(self, body):
        """Send the verification email again (same answer for any address)."""
        run(commands.RequestVerificationEmail(email=body["email"]))
        return EMAIL_ON_ITS_WAY


@blp.route("/login")
class Login(MethodView):
    decorators = [limits.limit_from("login_rate_limit", limits.email_and_ip, "login"),
                  limits.limit_from("login_ip_rate_limit", scope="login-ip")]

    @blp.arguments(schemas.LoginSchema())
    @blp.response(200, schemas.LoginResultSchema, headers=WRITE_HEADERS)
    @answers(401, 409, 429)
    @operation_id("login")
    def post(self, body):
        """Log in: an access token, a refresh token and the user."""
        outcome = run(commands.Login(email=body["email"], password=body["password"],
                                     ip=client_ip(), user_agent=user_agent()))
        result = outcome.value
        remember_own_write(result.user.id, outcome.commit)
        tokens = _issue(result.user.id, result.session_id, result.user.role, result.refresh_jti)
        return {**tokens, "user": public_user(result.user)}, 200, token_headers(outcome.commit)


@blp.route("/refresh")
class Refresh(MethodView):
    @blp.arguments(schemas.RefreshSchema(), required=False, description=(
        "The refresh token. Deprecated older form, until the Sunset date: no body and the "
        "refresh token as `Authorization: Bearer <refresh token>` (its answers carry "
        "Deprecation and Sunset headers)."))
    @blp.response(200, schemas.TokenPairSchema, headers={**WRITE_HEADERS,
                                                         **DEPRECATION_HEADERS})
    @answers(401, 409)
    @operation_id("refreshTokens")
    @jwt_required(refresh=True, locations=["json", "headers"])
    def post(self, _body):
        """Trade the refresh token for a new pair; a spent one revokes its session."""
        claims = get_jwt()
        command = commands.RefreshSession(
            user_id=claims["sub"], session_id=claims["sid"], refresh_jti=claims["jti"],
            ip=client_ip(), user_agent=user_agent())
        try:
            outcome = run(command)
        except RefreshTokenReused:
            container().live_sessions.revoke(claims["sid"])
            raise
        result = outcome.value
        tokens = _issue(claims["sub"], result.session_id, result.role, result.refresh_jti)
        headers = token_headers(outcome.commit)
        if get_jwt_request_location() == "headers":
            headers.update(deprecated_refresh_headers())
        return tokens, 200, headers


@blp.route("/logout")
class Logout(MethodView):
    @jwt_required()
    @blp.response(204, headers=WRITE_HEADERS)
    @authenticated
    @answers(404, 409)
    @operation_id("logout")
    def post(self):
        """End this session: its tokens stop working at once."""
        outcome = run(commands.Logout(user_id=current_user_id(),
                                      session_id=current_session_id()))
        container().live_sessions.revoke(current_session_id())
        return None, 204, token_headers(outcome.commit)


@blp.route("/password/change")
class PasswordChange(MethodView):
    decorators = [limits.limit_from("password_change_rate_limit", scope="password-ip")]

    @jwt_required()
    @limits.limit_from("password_change_rate_limit", limits.current_user, "password-user")
    @blp.arguments(schemas.PasswordChangeSchema())
    @blp.response(204, headers=WRITE_HEADERS)
    @authenticated
    @answers(404, 409)
    @operation_id("changePassword")
    def post(self, body):
        """Change the password; every other session is revoked."""
        outcome = run(commands.ChangePassword(user_id=current_user_id(),
                                              session_id=current_session_id(), **body))
        _credentials_changed(outcome.value)
        return None, 204, token_headers(outcome.commit)


@blp.route("/password/reset")
class PasswordReset(MethodView):
    decorators = limits.mail_limits("reset")

    @blp.arguments(schemas.EmailSchema())
    @blp.response(202, MessageSchema)
    @answers(409, 429)
    @operation_id("requestPasswordReset")
    def post(self, body):
        """Email a reset link (same answer for any address)."""
        run(commands.RequestPasswordReset(email=body["email"]))
        return EMAIL_ON_ITS_WAY


@blp.route("/password/reset/confirm")
class PasswordResetConfirm(MethodView):
    @blp.arguments(schemas.PasswordResetConfirmSchema())
    @blp.response(204, headers=WRITE_HEADERS)
    @answers(409)
    @operation_id("confirmPasswordReset")
    def post(self, body):
        """Set a new password with the emailed token; every session is revoked."""
        claims = _read(container().email_tokens.read_reset, body["token"])
        outcome = run(commands.ResetPassword(
            user_id=claims.user_id, credentials_version=claims.credentials_version,
            new_password=body["new_password"]))
        remember_own_write(claims.user_id, outcome.commit)
        _credentials_changed(outcome.value)
        return None, 204, token_headers(outcome.commit)


@blp.route("/sessions")
class Sessions(MethodView):
    @jwt_required()
    @own_read
    @blp.arguments(PageQueryArgsSchema(), location="query")
    @blp.response(200, schemas.SessionPageSchema, headers=CONSISTENT_READ_HEADERS)
    @authenticated
    @consistent()
    @operation_id("listSessions")
    def get(self, args):
        """Your active sessions, most recently used first."""
        rows = sessions_of(container().engine, current_user_id())
        for row in rows:
            row["current"] = row["id"] == current_session_id()
        start = (args["page"] - 1) * args["page_size"]
        return page_envelope(rows[start:start + args["page_size"]], args["page"],
                             args["page_size"], len(rows))


@blp.route("/sessions/<uuid:session_id>")
class SessionById(MethodView):
    @jwt_required()
    @blp.response(204, headers=WRITE_HEADERS)
    @authenticated
    @answers(409)
    @operation_id("revokeSession")
    def delete(self, session_id):
        """Revoke one of your sessions."""
        outcome = run(commands.RevokeSession(user_id=current_user_id(),
                                             session_id=str(session_id)))
        container().live_sessions.revoke(str(session_id))
        return None, 204, token_headers(outcome.commit)


def _credentials_changed(change) -> None:
    live = container().live_sessions
    live.revoke(*change.revoked)
    live.credentials_changed(change.user_id, change.credentials_version, change.kept_session)


def _issue(user_id: str, session_id: str, role: str, refresh_jti: str) -> dict:
    from api.security import issue_tokens
    return issue_tokens(user_id, session_id, role, refresh_jti, container().settings)


def _read(reader, token: str):
    try:
        return reader(token)
    except EmailTokenInvalid as exc:
        abort(400, message=exc.message, errors={"token": [exc.message]})
