"""The read benchmark's baseline: one Flask endpoint doing one Redis GET of the bytes
the API served for the same request (stored by the benchmark), run by the same gunicorn
line as the API."""
from __future__ import annotations

import os

import redis
from flask import Flask, Response

app = Flask(__name__)
store = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
BODY_PREFIX = "bench:body:"


@app.get("/bare/<path:key>")
def bare(key: str) -> Response:
    body = store.get(BODY_PREFIX + key) or b"{}"
    return Response(body, mimetype="application/json")


@app.get("/healthz")
def healthz() -> Response:
    return Response(b"{}", mimetype="application/json")
