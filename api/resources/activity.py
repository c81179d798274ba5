"""/me/last-activities: when you last changed each kind of thing (read_models/activity)."""
from __future__ import annotations

from flask.views import MethodView
from flask_jwt_extended import jwt_required
from flask_smorest import Blueprint

from api.context import container, current_user_id
from api.openapi import authenticated, operation_id
from api.schemas.transfers import LastActivitiesSchema

blp = Blueprint("activity", __name__, url_prefix="/api/v1/me",
                description="When you last changed what, to refetch only that")


@blp.route("/last-activities")
class LastActivities(MethodView):
    @jwt_required()
    @operation_id("getLastActivities")
    @blp.response(200, LastActivitiesSchema)
    @authenticated
    def get(self):
        """The time of your last change of favorites, ratings, watchlist, profile and
        sessions (null: never), as applied to the read models: one Redis read."""
        return container().last_activities.document(current_user_id())
