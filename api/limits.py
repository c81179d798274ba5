"""Rate limits (flask-limiter on Redis): set, keyed and documented in one place.

Keys are chosen so that a person using the app normally never meets a limit:
login counts per email *and* IP (a wider cap per IP stops spraying), mail-sending
endpoints per address and IP, per address and per IP, password change per user and
per IP, registration per IP.

When Redis does not answer, the same limits are counted in the process's memory
(flask-limiter's in-memory fallback) until it is back: limits never switch off. The
client address is the socket's, or, behind TRUSTED_PROXY_COUNT proxies, the one they
put in X-Forwarded-For (werkzeug's ProxyFix; never trusted by default).
"""
from __future__ import annotations

import math
import time

from flask import Flask, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import parse
from werkzeug.middleware.proxy_fix import ProxyFix

from domain.accounts.policy import normalise_email
from domain.errors import InvalidInput
from movienexus.config import Settings

limiter = Limiter(key_func=get_remote_address, swallow_errors=False,
                  in_memory_fallback_enabled=True)


def configure(app: Flask, settings: Settings) -> None:
    app.config.update(
        RATELIMIT_STORAGE_URI=settings.redis_url,
        RATELIMIT_STORAGE_OPTIONS={"socket_timeout": 1, "socket_connect_timeout": 1},
        RATELIMIT_ENABLED=settings.rate_limits_enabled,
        RATELIMIT_STRATEGY="moving-window",
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True,
    )
    limiter.init_app(app)
    if settings.trusted_proxy_count > 0:
        n = settings.trusted_proxy_count
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n)


def within(limit: str, *identifiers: str, cost: int = 1) -> bool:
    """Counts `cost` more against `limit` (a flask-limiter string) for these
    identifiers; False when that is over it. Same storage as the route limits; a
    RedisError when it is down (the caller refuses: closed)."""
    from api.context import container
    if not container().settings.rate_limits_enabled:
        return True
    return limiter.limiter.hit(parse(limit), _namespaced("|".join(identifiers)), cost=cost)


def retry_after_seconds() -> int | None:
    """Seconds until the limit that refused this request lets one through again."""
    current = limiter.current_limit
    if current is None:
        return None
    window = current.limit.get_expiry()
    return min(window, max(1, math.ceil(current.reset_at - time.time())))


def _namespaced(key: str) -> str:
    """Counters live under the deployment's namespace (one Redis, many deployments)."""
    from api.context import container
    return f"{container().settings.amqp_namespace}|{key}"


def ip_only() -> str:
    return _namespaced(get_remote_address())


def _body_email() -> str:
    """The body's address in the spelling that finds the account (every spelling of
    one address shares one counter); a body without a valid one keys on its text, and
    the schema refuses it after the count."""
    if "limit_email" not in g:
        body = request.get_json(silent=True)
        g.limit_email = _spelling(body.get("email") if isinstance(body, dict) else None)
    return g.limit_email


def _spelling(email) -> str:
    if not isinstance(email, str):
        return ""
    try:
        return normalise_email(email)
    except InvalidInput:
        return email.strip().lower()[:254]


def email_and_ip() -> str:
    return _namespaced(f"{_body_email()}|{get_remote_address()}")


def email_only() -> str:
    return _namespaced(_body_email() or get_remote_address())


def current_user() -> str:
    """The verified token's user (for limits applied after jwt_required): a stolen
    token guessing the current password is limited whatever IPs it comes from."""
    from flask_jwt_extended import get_jwt_identity
    return _namespaced(f"user|{get_jwt_identity()}")


def mail_limits(kind: str) -> list:
    """An endpoint that sends mail: per address and IP (a person asking again), per
    address from anywhere (no mail bombing from many IPs), per IP across addresses
    (no mailing every address from one IP). The first is the tightest, so one
    attacker's IP cannot use up a victim's quota."""
    return [limit_from("email_rate_limit", email_and_ip, f"mail-{kind}"),
            limit_from("email_address_rate_limit", email_only, f"mail-{kind}-address"),
            limit_from("email_ip_rate_limit", ip_only, f"mail-{kind}-ip")]


def limit_from(setting: str, key_func=ip_only, scope: str | None = None):
    """A limit whose value is read from Settings when the request comes."""
    from api.context import container
    return limiter.limit(lambda: getattr(container().settings, setting), key_func=key_func,
                         scope=scope or setting)
