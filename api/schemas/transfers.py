"""Schemas of /me/imports, /me/export and /me/last-activities."""
from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import Schema, fields

from api.schemas.common import QueryArgsSchema


class ImportFileSchema(Schema):
    file = Upload(required=True, metadata={
        "description": "A Letterboxd export ZIP, an IMDb ratings CSV or a Trakt-style "
                       "JSON (or a Movie Nexus export ZIP)."})


class ImportQueryArgsSchema(QueryArgsSchema):
    overwrite = fields.Boolean(load_default=False, metadata={
        "description": "true: the file's ratings and notes replace ones set here later"})


class ImportAcceptedSchema(Schema):
    id = fields.String(required=True)
    status = fields.String(required=True)
    format = fields.String(required=True, metadata={
        "description": "letterboxd, imdb, trakt or movienexus"})
    total = fields.Integer(required=True, metadata={"description": "rows read"})


class ProgressSchema(Schema):
    done = fields.Integer(required=True)
    total = fields.Integer(required=True)


class CandidateSchema(Schema):
    tmdb_id = fields.Integer(required=True)
    title = fields.String(required=True)
    year = fields.Integer(allow_none=True)
    confidence = fields.Float(required=True)


class ImportRowSchema(Schema):
    row = fields.Integer(required=True, metadata={"description": "its number in the import"})
    source = fields.String(required=True, metadata={"description": "file and line"})
    kind = fields.String(required=True, metadata={
        "description": "favorite, watchlist or watched"})
    title = fields.String(allow_none=True)
    year = fields.Integer(allow_none=True)
    tmdb_id = fields.Integer(allow_none=True)
    imdb_id = fields.String(allow_none=True)
    rating = fields.Integer(allow_none=True)


class AmbiguousRowSchema(Schema):
    row = fields.Nested(ImportRowSchema, required=True)
    candidates = fields.List(fields.Nested(CandidateSchema), required=True)


class UnmatchedRowSchema(ImportRowSchema):
    reason = fields.String(allow_none=True)
    candidates = fields.List(fields.Nested(CandidateSchema), required=True)


class ImportReportSchema(Schema):
    matched = fields.Integer(required=True)
    written = fields.Integer(required=True, metadata={"description": "matched rows merged"})
    skipped = fields.Integer(required=True, metadata={"description": "shows, episodes"})
    ambiguous = fields.List(fields.Nested(AmbiguousRowSchema), required=True)
    unmatched = fields.List(fields.Nested(UnmatchedRowSchema), required=True)


class ImportSchema(Schema):
    id = fields.String(required=True)
    status = fields.String(required=True, metadata={
        "description": "queued, matching, writing, done, failed"})
    format = fields.String(required=True)
    overwrite = fields.Boolean(required=True)
    created_at = fields.DateTime(required=True)
    finished_at = fields.DateTime(allow_none=True)
    attempts = fields.Integer(required=True, metadata={
        "description": "runs that failed so far (a few are tried again with backoff)"})
    failure = fields.String(allow_none=True, required=True, metadata={
        "description": "why the import stopped, once it failed; else null"})
    progress = fields.Nested(ProgressSchema, required=True)
    report = fields.Nested(ImportReportSchema, allow_none=True, metadata={
        "description": "null until the import is done"})


class LastActivitiesSchema(Schema):
    favorites = fields.String(allow_none=True, required=True, metadata={"format": "date-time"})
    ratings = fields.String(allow_none=True, required=True, metadata={"format": "date-time"})
    watchlist = fields.String(allow_none=True, required=True, metadata={"format": "date-time"})
    profile = fields.String(allow_none=True, required=True, metadata={"format": "date-time"})
    sessions = fields.String(allow_none=True, required=True, metadata={"format": "date-time"})
