"""/healthz, /readyz and /metrics, at the root."""
from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify
from kombu import Connection
from sqlalchemy import text

from api.context import container
from api.metrics import render_metrics

log = logging.getLogger(__name__)
blp = Blueprint("ops", __name__)


@blp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@blp.get("/readyz")
def readyz():
    checks = {"postgres": _postgres, "redis": _redis, "rabbitmq": _rabbitmq}
    results = {name: _probe(check) for name, check in checks.items()}
    down = [name for name, error in results.items() if error]
    body = {"status": "ready" if not down else "unavailable",
            "checks": {name: (error or "ok") for name, error in results.items()}}
    if down:
        body["message"] = f"Not ready: {', '.join(down)} unreachable."
    return jsonify(body), 503 if down else 200


@blp.get("/metrics")
def metrics():
    payload, content_type = render_metrics(container())
    return Response(payload, content_type=content_type)


def _probe(check) -> str | None:
    """None when the check passes, else "unavailable": the reason is logged, never
    answered (it can name hosts, ports, users)."""
    try:
        check()
        return None
    except Exception as exc:  # noqa: BLE001 (any failure means not ready)
        log.warning("readiness check failed: %r", exc)
        return "unavailable"


def _postgres() -> None:
    with container().engine.connect() as conn:
        conn.execute(text("SELECT 1"))


def _redis() -> None:
    container().redis.ping()


def _rabbitmq() -> None:
    with Connection(container().settings.broker_url, connect_timeout=2) as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
