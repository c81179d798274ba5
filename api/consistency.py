"""Read-your-writes. Writes answer with an X-Consistency-Token; a read that sends it
back waits (bounded) for that write. A person's own reads (`@own_read`) also wait for
that person's own last writes, by any of their sessions, with no token sent."""
from __future__ import annotations

from functools import wraps

import logging

from flask import Flask, g, request
from flask_jwt_extended import get_jwt
from flask_smorest import abort
from redis.exceptions import RedisError

from api.context import container
from domain.ports import CommitResult
from read_models.consistency import (ConsistencyToken, MalformedToken, names_a_write,
                                     wait_until_applied)

HEADER = "X-Consistency-Token"
log = logging.getLogger(__name__)


def token_headers(commit: CommitResult) -> dict[str, str]:
    token = ConsistencyToken.from_commit(commit)
    return {HEADER: str(token)} if token else {}


def consistent_read(view):
    """Before the view runs, wait for the token's write to reach the read models. A
    token that names no write in the log answers at once: `X-Consistency: unknown`."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        _wait_for_token()
        return view(*args, **kwargs)
    return wrapper


def own_read(view):
    """A read of the caller's own data (after `@jwt_required`): first the caller's own
    last writes are brought into the read models (waited for, else projected here from
    the log), then any token sent is honoured as by `consistent_read`."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        _wait_for_own_writes()
        _wait_for_token()
        return view(*args, **kwargs)
    return wrapper


def _wait_for_token() -> None:
    raw = request.headers.get(HEADER)
    if not raw:
        return
    try:
        token = ConsistencyToken.parse(raw)
    except MalformedToken as exc:
        abort(400, message=str(exc))
    c = container()
    if not names_a_write(c.engine, token):
        g.consistency = "unknown"
    else:
        fresh = wait_until_applied(c.documents, token, c.settings.consistency_wait_seconds)
        g.consistency = "fresh" if fresh else "stale"


def _wait_for_own_writes() -> None:
    c, claims = container(), get_jwt()
    try:
        waited = c.own_writes.wait(claims["sub"], c.settings.own_write_wait_seconds,
                                   _catch_up)
    except RedisError:      # no record to ask: bring the caller's own aggregates up to date
        for aggregate in (("user", claims["sub"]), ("session", claims["sid"])):
            _catch_up(*aggregate)
        waited = True
    if waited:
        g.consistency = "fresh"


def _catch_up(aggregate_type: str, aggregate_id: str) -> None:
    """Projects one aggregate here, from the log (its Redis copies too, if Redis is up)."""
    try:
        container().projection_runner.catch_up(aggregate_type, aggregate_id)
    except RedisError as exc:
        log.warning("caught up %s %s without Redis: %r", aggregate_type, aggregate_id, exc)


def install(app: Flask) -> None:
    @app.after_request
    def say_consistency(response):
        if getattr(g, "consistency", None):
            response.headers["X-Consistency"] = g.consistency
        return response
