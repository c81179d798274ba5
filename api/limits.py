"""Rate limits (flask-limiter on Redis): set, keyed and documented in one place.

Keys are chosen so that a person using the app normally never meets a limit:
login counts per email *and* IP (a wider cap per IP stops spraying), mail-sending
endpoints count per address, registration per IP.
"""
from __future__ import annotations

import math
import time

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from movienexus.config import Settings

limiter = Limiter(key_func=get_remote_address, swallow_errors=True)


def configure(app: Flask, settings: Settings) -> None:
    app.config.update(
        RATELIMIT_STORAGE_URI=settings.redis_url,
        RATELIMIT_ENABLED=settings.rate_limits_enabled,
        RATELIMIT_STRATEGY="moving-window",
    )
    limiter.init_app(app)


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
    body = request.get_json(silent=True)
    email = body.get("email") if isinstance(body, dict) else None
    return email.strip().lower()[:254] if isinstance(email, str) else ""


def email_and_ip() -> str:
    return _namespaced(f"{_body_email()}|{get_remote_address()}")


def email_only() -> str:
    return _namespaced(_body_email() or get_remote_address())


def limit_from(setting: str, key_func=ip_only, scope: str | None = None):
    """A limit whose value is read from Settings when the request comes."""
    from api.context import container
    return limiter.limit(lambda: getattr(container().settings, setting), key_func=key_func,
                         scope=scope or setting)
