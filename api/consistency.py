"""X-Consistency-Token on writes; bounded waits on reads that send it back."""
from __future__ import annotations

from functools import wraps

from flask import Flask, g, request
from flask_smorest import abort

from api.context import container
from domain.ports import CommitResult
from read_models.consistency import (ConsistencyToken, MalformedToken, names_a_write,
                                     wait_until_applied)

HEADER = "X-Consistency-Token"


def token_headers(commit: CommitResult) -> dict[str, str]:
    token = ConsistencyToken.from_commit(commit)
    return {HEADER: str(token)} if token else {}


def consistent_read(view):
    """Before the view runs, wait for the token's write to reach the read models. A
    token that names no write in the log answers at once: `X-Consistency: unknown`."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        raw = request.headers.get(HEADER)
        if raw:
            try:
                token = ConsistencyToken.parse(raw)
            except MalformedToken as exc:
                abort(400, message=str(exc))
            c = container()
            if not names_a_write(c.engine, token):
                g.consistency = "unknown"
            else:
                fresh = wait_until_applied(c.documents, token,
                                           c.settings.consistency_wait_seconds)
                g.consistency = "fresh" if fresh else "stale"
        return view(*args, **kwargs)
    return wrapper


def install(app: Flask) -> None:
    @app.after_request
    def say_consistency(response):
        if getattr(g, "consistency", None):
            response.headers["X-Consistency"] = g.consistency
        return response
