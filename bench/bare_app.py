"""The read benchmark's baseline: one Flask endpoint doing one Redis GET (a movie's
ready-to-send detail, the same bytes the API serves), run by the same gunicorn line."""
from __future__ import annotations

import os

import redis
from flask import Flask, Response

app = Flask(__name__)
store = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))


@app.get("/bare/<int:tmdb_id>")
def bare(tmdb_id: int) -> Response:
    body = store.get(f"movie:detail:{tmdb_id}") or b"{}"
    return Response(body, mimetype="application/json")


@app.get("/bare-page/<int:number>")
def bare_page(number: int) -> Response:
    """The same, for a body the size of a list page (stored by the benchmark)."""
    body = store.get(f"bench:page:{number}") or b"{}"
    return Response(body, mimetype="application/json")
