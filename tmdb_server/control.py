"""The control API (not TMDb's, no auth, never counted in the stats), for tests.

GET  /__control/stats                 requests, by_status, by_path, timestamps
POST /__control/reset                 zero the stats, clear every fault
GET  /__control/faults                the faults in force
POST /__control/faults                set some of them: {latency_ms, rate_429, rate_5xx,
                                      timeout_rate, timeout_seconds, retry_after,
                                      rate_limit_per_second}
POST /__control/movies/<id>           change fields: {"title": "...", "vote_average": 7.1}
POST /__control/movies/<id>/delete    the movie then answers 404
POST /__control/tick                  advance the drift: {"steps": n} (default 1)
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from . import shapes, web
from .catalog import UnknownMovie
from .edits import InvalidEdit

PREFIX = "/__control"
blueprint = Blueprint("control", __name__)
Json = dict[str, Any]


class ControlError(Exception):
    def __init__(self, http_status: int, message: str) -> None:
        super().__init__(message)
        self.http_status = http_status


@blueprint.errorhandler(ControlError)
def _control_error(error: ControlError) -> tuple[Response, int]:
    return jsonify({"error": str(error)}), error.http_status


def _json_body() -> Json:
    body = request.get_json(silent=True)
    if body is None and request.get_data():
        raise ControlError(400, "the body must be JSON")
    if body is not None and not isinstance(body, dict):
        raise ControlError(400, "the body must be a JSON object")
    return body or {}


@blueprint.get("/stats")
def stats() -> Json:
    return web.state().stats.snapshot()


@blueprint.post("/reset")
def reset() -> Json:
    state = web.state()
    state.stats.reset()
    state.faults.reset()
    return {"reset": True, "faults": state.faults.settings.to_dict()}


@blueprint.get("/faults")
def faults() -> Json:
    return web.state().faults.settings.to_dict()


@blueprint.post("/faults")
def set_faults() -> Json:
    try:
        return web.state().faults.configure(_json_body()).to_dict()
    except ValueError as exc:
        raise ControlError(400, str(exc)) from exc


@blueprint.post("/movies/<int:movie_id>")
def change_movie(movie_id: int) -> Json:
    try:
        return shapes.detail(web.state().catalog.update(movie_id, _json_body()))
    except UnknownMovie as exc:
        raise ControlError(404, f"no movie {movie_id}") from exc
    except InvalidEdit as exc:
        raise ControlError(400, str(exc)) from exc


@blueprint.post("/movies/<int:movie_id>/delete")
def delete_movie(movie_id: int) -> Json:
    try:
        web.state().catalog.delete(movie_id)
    except UnknownMovie as exc:
        raise ControlError(404, f"no movie {movie_id}") from exc
    return {"deleted": movie_id}


@blueprint.post("/tick")
def tick() -> Json:
    steps = _json_body().get("steps", 1)
    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= 1000:
        raise ControlError(400, "steps must be an integer between 1 and 1000")
    catalog = web.state().catalog
    changed = catalog.tick(steps)
    return {"tick": catalog.ticks, "changed": changed}
