"""Per-request context: the container, the caller, the message context of writes."""
from __future__ import annotations

from flask import Flask, current_app, g, request
from flask_smorest import abort
from flask_jwt_extended import get_jwt, get_jwt_identity

from domain.ports import MessageContext
from movienexus.bootstrap import Container

def container() -> Container:
    return current_app.extensions["movienexus"]


def message_context() -> MessageContext:
    return MessageContext(correlation_id=g.request_id, causation_id=g.request_id,
                          actor_id=_verified_identity())


def _verified_identity() -> str | None:
    """The caller, if the view already verified a token (anonymous writes have none)."""
    try:
        return get_jwt_identity()
    except RuntimeError:
        return None


def current_user_id() -> str:
    return get_jwt_identity()


def current_session_id() -> str:
    return get_jwt()["sid"]


def client_ip() -> str:
    return request.remote_addr or ""


def user_agent() -> str:
    return (request.user_agent.string or "")[:512]


def _takes_files() -> bool:
    """A view that takes an upload (multipart) says so with `takes_files = True`."""
    view = current_app.view_functions.get(request.endpoint or "")
    return getattr(getattr(view, "view_class", None), "takes_files", False) \
        and request.mimetype == "multipart/form-data"


def install(app: Flask) -> None:
    @app.before_request
    def refuse_bodies_that_are_not_json():
        if request.routing_exception is not None:  # no such route or method: 404/405 first
            return
        if request.method in ("POST", "PUT", "PATCH") and request.content_length \
                and not request.is_json and not _takes_files():
            abort(415, message="Send the body as JSON (Content-Type: application/json).")
