"""/me/imports and /me/export: the caller's history in from another service, and out.

An upload is read whole before anything is written (a bad file is a 4xx and leaves
nothing behind); its rows are stored with the job in one transaction, and the job runs
on the catalog lane's workers (bulk work, never in the way of anyone's reads)."""
from __future__ import annotations

import uuid

from flask import Response, request
from flask.views import MethodView
from flask_jwt_extended import jwt_required
from flask_smorest import Blueprint, abort

from adapters.db.imports import QUEUED, ImportStore
from api.consistency import own_read
from api.context import container, current_user_id
from api.openapi import CONSISTENT_READ_HEADERS, answers, authenticated, operation_id
from api.schemas import transfers as schemas
from library_transfer.export import export_zip
from library_transfer.formats import parse_upload
from library_transfer.report import import_document
from library_transfer.rows import BadFile, Limits
from read_models.queries.library_export import library_entries

blp = Blueprint("transfers", __name__, url_prefix="/api/v1/me",
                description="Your history in from Letterboxd, IMDb or Trakt, and out")
IMPORT_ID = [{"in": "path", "name": "import_id", "description": "The id POST answered.",
              "schema": {"type": "string", "format": "uuid"}}]


def _limits() -> Limits:
    s = container().settings
    return Limits(s.import_max_bytes, s.import_max_unpacked_bytes, s.import_max_rows,
                  s.import_max_line_bytes)


def _store() -> ImportStore:
    return ImportStore(container().engine)


@blp.before_request
def _accept_uploads() -> None:
    """The import takes a file: a larger body than the JSON routes' limit."""
    if request.endpoint == f"{blp.name}.Imports":
        request.max_content_length = container().settings.import_max_bytes + (64 << 10)


@blp.route("/imports")
class Imports(MethodView):
    takes_files = True  # multipart, not JSON (api/context.py)

    @jwt_required()
    @operation_id("createImport")
    @blp.arguments(schemas.ImportQueryArgsSchema(), location="query")
    @blp.arguments(schemas.ImportFileSchema(), location="files")
    @blp.response(202, schemas.ImportAcceptedSchema)
    @authenticated
    @answers(409, 413)
    def post(self, args, files):
        """Import a Letterboxd export ZIP, an IMDb ratings CSV or a Trakt-style JSON into
        your library (merged; ratings you set here later are kept unless overwrite=true).
        Answers at once; follow it at GET /me/imports/{id}."""
        upload = files["file"]
        try:
            parsed = parse_upload(upload.filename or "", upload.read(), _limits())
        except BadFile as bad:
            abort(bad.status, message=bad.message, errors={"file": [bad.message]})
        user_id, store = current_user_id(), _store()
        if store.unfinished(user_id):
            abort(409, message="An import of yours is still running; wait for it to finish.")
        import_id = str(uuid.uuid4())
        store.create(import_id, user_id, parsed.format, args["overwrite"],
                     [row.to_json() for row in parsed.rows], parsed.skipped)
        container().tasks.request_import(import_id)
        return {"id": import_id, "status": QUEUED, "format": parsed.format,
                "total": len(parsed.rows)}


@blp.route("/imports/<import_id>", parameters=IMPORT_ID)
class ImportById(MethodView):
    @jwt_required()
    @operation_id("getImport")
    @blp.response(200, schemas.ImportSchema)
    @authenticated
    def get(self, import_id):
        """Where your import stands, then its match report: how many rows matched and
        were merged, and the rows to ask you about (ambiguous ones with candidates)."""
        job = _job(import_id)
        return import_document(_store(), job)


@blp.route("/export")
class Export(MethodView):
    @jwt_required()
    @own_read
    @operation_id("exportLibrary")
    @blp.response(200, content_type="application/zip", headers=CONSISTENT_READ_HEADERS,
                  description="ratings.csv, watchlist.csv, watched.csv and likes/films.csv "
                              "in Letterboxd's layout, and movienexus.json (TMDb ids, "
                              "ratings, notes, dates), which POST /me/imports reads back.")
    @authenticated
    def get(self):
        """Your library as a ZIP, to keep or to take elsewhere (including your own latest
        change)."""
        data = export_zip(*library_entries(container().engine, current_user_id()))
        return Response(data, mimetype="application/zip", headers={
            "Content-Disposition": 'attachment; filename="movienexus-library.zip"'})


def _job(import_id: str) -> dict:
    try:
        uuid.UUID(import_id)
    except ValueError:
        abort(404, message="No such import.")
    job = _store().job(import_id, current_user_id())
    if job is None:
        abort(404, message="No such import.")
    return job
