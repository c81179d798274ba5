"""Read-your-writes. Writes answer with an X-Consistency-Token; a read that sends it
back waits (bounded) for that write. A person's own reads (`@own_read`) also wait for
that person's own last writes, by any of their sessions, with no token sent."""
from __future__ import annotations

from functools import partial, wraps

import logging

from flask import Flask, g, request
from flask_jwt_extended import get_jwt
from flask_smorest import abort
from redis.exceptions import RedisError

from adapters.messaging import dead_letters
from adapters.outages import describe, is_outage
from api.context import container
from domain.ports import CommitResult
from read_models.queries.consistency import (OWN_READ_FAILURES, ConsistencyToken, MalformedToken,
                                     names_a_write, wait_until_applied)

HEADER = "X-Consistency-Token"
log = logging.getLogger(__name__)
_CONTENTION = "40"      # SQLSTATE class: a deadlock or serialization failure, not poison


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
    claims = get_jwt()
    own_writes_first(claims["sub"], claims["sid"])


def own_writes_first(user_id: str, session_id: str | None = None) -> None:
    """The caller's own last writes brought into the read models (waited for, else
    projected here); sets X-Consistency: fresh, or stale when one fails to project."""
    c = container()
    catch_up = partial(catch_up_own, c)
    try:
        consistency = c.own_writes.wait(user_id, c.settings.own_write_wait_seconds, catch_up)
    except RedisError:      # no record to ask: bring the caller's own aggregates up to date
        caught_up = [catch_up(kind, aggregate_id) for kind, aggregate_id in (
            ("user", user_id), ("session", session_id), ("library", user_id))
            if aggregate_id]
        consistency = "fresh" if all(caught_up) else "stale"
    if consistency:
        g.consistency = consistency


def catch_up_own(c, aggregate_type: str, aggregate_id: str) -> bool:
    """Projects one aggregate here, from the log (its Redis copies too, if Redis is up).
    False when an event of it fails to project: logged, counted in /metrics and handed
    to the dead letters (once, however many reads meet it); the read then answers what
    is projected. A store that is down still raises (the API's 503)."""
    try:
        c.projection_runner.catch_up(aggregate_type, aggregate_id)
    except RedisError as exc:
        log.warning("caught up %s %s without Redis: %r", aggregate_type, aggregate_id, exc)
    except Exception as exc:  # noqa: BLE001 (a projection's failure is never the reader's)
        if is_outage(exc):
            raise
        _failed_catch_up(c, aggregate_type, aggregate_id, exc)
        return False
    return True


def _failed_catch_up(c, aggregate_type: str, aggregate_id: str, exc: Exception) -> None:
    OWN_READ_FAILURES.labels(aggregate_type).inc()
    log.error("own read of %s %s answered stale: its catch-up failed: %s",
              aggregate_type, aggregate_id, describe(exc))
    sqlstate = getattr(getattr(exc, "orig", None), "sqlstate", None) or ""
    if sqlstate.startswith(_CONTENTION):
        return                  # contention, not poison: the workers will apply it
    try:
        failing = c.projection_runner.first_unapplied(aggregate_type, aggregate_id)
        if failing is not None:
            dead_letters.record(c.engine, "projections", failing, describe(exc), 1)
    except Exception:  # noqa: BLE001 (the read answers anyway; the workers retry it)
        log.exception("could not dead-letter the failing event of %s %s",
                      aggregate_type, aggregate_id)


def install(app: Flask) -> None:
    @app.after_request
    def say_consistency(response):
        if getattr(g, "consistency", None):
            response.headers["X-Consistency"] = g.consistency
        return response
