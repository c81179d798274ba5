"""/me: the caller's own account, served from read models."""
from __future__ import annotations

from flask import Response
from flask.views import MethodView
from flask_jwt_extended import jwt_required
from flask_smorest import Blueprint, abort

from api import hot_reads
from api.commands import run
from api.consistency import own_read, token_headers
from api.context import container, current_user_id
from api.hot_reads import hot
from api.openapi import CONSISTENT_READ_HEADERS, WRITE_HEADERS, answers, authenticated, \
    consistent, operation_id
from api.schemas import accounts as schemas
from domain.accounts import commands
from read_models.queries.account_queries import me_document

blp = Blueprint("me", __name__, url_prefix="/api/v1/me", description="Your own account")


def me_state(user) -> dict:
    return {"id": user.id, "email": user.email, "first_name": user.first_name,
            "last_name": user.last_name, "email_verified": user.email_verified,
            "role": user.role, "created_at": user.created_at.isoformat(),
            "profile": user.profile}


@blp.route("")
class Me(MethodView):
    @hot(hot_reads.me, query=())
    @jwt_required()
    @own_read
    @blp.response(200, schemas.MeSchema, headers=CONSISTENT_READ_HEADERS)
    @authenticated
    @consistent()
    @operation_id("getMe")
    def get(self):
        """Your account and profile, including your own latest change (one Redis read;
        Postgres when Redis is down)."""
        document = _document_of(current_user_id())
        return Response(document, mimetype="application/json")

    @jwt_required()
    @blp.arguments(schemas.MeUpdateSchema(), required=False)
    @blp.response(200, schemas.MeSchema, headers=WRITE_HEADERS)
    @authenticated
    @answers(404, 409)
    @operation_id("updateMe")
    def patch(self, body):
        """Change your names or profile; answers with the new state."""
        outcome = run(commands.UpdateProfile(user_id=current_user_id(), changes=body))
        return me_state(outcome.value), 200, token_headers(outcome.commit)


def _document_of(user_id: str) -> bytes:
    """After `@own_read` the document is there; if the account's own writes were not
    remembered (Redis was away at register), it is projected here from the log."""
    c = container()
    document = me_document(c.documents, c.engine, user_id)
    if document is None:
        c.projection_runner.catch_up("user", user_id)
        document = me_document(c.documents, c.engine, user_id)
    if document is None:
        abort(503, message="Your account is still being set up; retry in a moment.")
    return document
