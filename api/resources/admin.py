"""/admin: TMDb syncs on request, dead letters, read-model rebuilds (admin role only)."""
from __future__ import annotations

from flask.views import MethodView
from flask_jwt_extended import jwt_required
from flask_smorest import Blueprint, abort
from kombu.exceptions import OperationalError as BrokerDown

from adapters.messaging import dead_letters
from api.context import container
from api.openapi import MAX_INT64, answers, authenticated, operation_id, path_id
from api.schemas import movies as schemas
from api.schemas.common import PageQueryArgsSchema, page_envelope
from api.security import role_required
from workers.replay import replay

blp = Blueprint("admin", __name__, url_prefix="/api/v1/admin", description="Operations")

DEAD_LETTER_FIELDS = tuple(schemas.DeadLetterSchema._declared_fields)


@blp.route("/sync")
class Sync(MethodView):
    @jwt_required()
    @role_required("admin")
    @blp.arguments(schemas.SyncSchema())
    @blp.response(202, schemas.TaskSchema)
    @authenticated
    @answers(403)
    @operation_id("requestSync")
    def post(self, body):
        """Queue a TMDb sync (genres, a list, trending, changes, or all)."""
        try:
            return {"task_id": container().tasks.request_sync(body["kind"])}
        except BrokerDown:
            abort(503, message="RabbitMQ is unavailable; try again shortly.",
                  headers={"Retry-After": "5"})


@blp.route("/dead-letters")
class DeadLetters(MethodView):
    @jwt_required()
    @role_required("admin")
    @blp.arguments(PageQueryArgsSchema(), location="query")
    @blp.response(200, schemas.DeadLetterPageSchema)
    @authenticated
    @answers(403)
    @operation_id("listDeadLetters")
    def get(self, args):
        """Events a subscriber gave up on and that were not replayed yet."""
        engine, size = container().engine, args["page_size"]
        rows = dead_letters.pending(engine, limit=size, offset=(args["page"] - 1) * size)
        items = [{name: row[name] for name in DEAD_LETTER_FIELDS} for row in rows]
        return page_envelope(items, args["page"], size, dead_letters.count_pending(engine))


@blp.route("/dead-letters/<int:dead_letter_id>/replay",
           parameters=path_id("dead_letter_id", MAX_INT64, "An id from GET /admin/dead-letters."))
class DeadLetterReplay(MethodView):
    @jwt_required()
    @role_required("admin")
    @blp.response(202, schemas.ReplaySchema)
    @authenticated
    @answers(403, 409)
    @operation_id("replayDeadLetter")
    def post(self, dead_letter_id):
        """Send a dead letter back to its subscriber."""
        c = container()
        row = dead_letters.get(c.engine, dead_letter_id) if dead_letter_id <= MAX_INT64 else None
        if row is None:
            abort(404, message=f"No dead letter {dead_letter_id}.")
        if row["replayed_at"] is not None:
            abort(409, message=f"Dead letter {dead_letter_id} was already replayed.")
        return {"replayed": replay(c, [dead_letter_id])}


@blp.route("/read-models/rebuild")
class ReadModelRebuild(MethodView):
    @jwt_required()
    @role_required("admin")
    @blp.response(202, schemas.TaskSchema)
    @authenticated
    @answers(403)
    @operation_id("rebuildReadModels")
    def post(self):
        """Rebuild the read models from the event log (fresh tables, swapped in at once)."""
        try:
            return {"task_id": container().tasks.request_rebuild()}
        except BrokerDown:
            abort(503, message="RabbitMQ is unavailable; try again shortly.")
