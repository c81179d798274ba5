"""Schemas of /movies, /genres and /admin. The card and detail schemas document the
documents the projections store ready to send (a test validates stored ones)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate, validates_schema, ValidationError

from api.schemas.common import PageQueryArgsSchema, PageSchema, StrictSchema, Text
from catalog_sync.runner import KINDS
from domain.catalog.vocabulary import TRENDING_WINDOWS
from read_models.queries.catalog_queries import SORTS

MAX_QUERY_LENGTH = 200
SORT_CHOICES = [*SORTS, *(f"-{name}" for name in SORTS)]
SYNC_KINDS = list(KINDS)   # API.md's kinds, plus related, details
Year = lambda: fields.Integer(validate=validate.Range(min=1870, max=2200))  # noqa: E731


class GenreRefSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class MovieCardSchema(Schema):
    tmdb_id = fields.Integer(required=True)
    title = fields.String(required=True)
    original_title = fields.String(required=True)
    release_date = fields.String(required=True, allow_none=True,
                                 metadata={"description": "YYYY-MM-DD, or null if unknown"})
    year = fields.Integer(required=True, allow_none=True)
    poster_path = fields.String(required=True, allow_none=True)
    backdrop_path = fields.String(required=True, allow_none=True)
    poster_url = fields.String(required=True, allow_none=True)
    genres = fields.List(fields.Nested(GenreRefSchema), required=True, metadata={
        "description": "a genre whose name was not synced when the card was built "
                       "shows name \"\""})
    popularity = fields.Float(required=True)
    vote_average = fields.Float(required=True)
    vote_count = fields.Integer(required=True)
    favorite_count = fields.Integer(required=True)


class MeBlockSchema(Schema):
    favorite = fields.Boolean(required=True)
    rating = fields.Integer(required=True, allow_none=True)
    notes = fields.String(required=True, allow_none=True)
    in_watchlist = fields.Boolean(required=True)
    watched = fields.Boolean(required=True)


class MovieDetailSchema(MovieCardSchema):
    overview = fields.String(required=True)
    tagline = fields.String(required=True)
    runtime = fields.Integer(required=True, allow_none=True)
    status = fields.String(required=True)
    original_language = fields.String(required=True)
    budget = fields.Integer(required=True)
    revenue = fields.Integer(required=True)
    imdb_id = fields.String(required=True, allow_none=True)
    homepage = fields.String(required=True)
    average_user_rating = fields.Float(required=True, allow_none=True)
    me = fields.Nested(MeBlockSchema, metadata={
        "description": "only for a logged-in caller: their favorite and watchlist entry"})


class MoviePageSchema(PageSchema):
    items = fields.List(fields.Nested(MovieCardSchema), required=True)


class GenreSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    movie_count = fields.Integer(required=True)


class MovieQueryArgsSchema(PageQueryArgsSchema):
    q = Text(validate=validate.Length(min=1, max=MAX_QUERY_LENGTH))
    genre = fields.List(fields.Integer(validate=validate.Range(min=1, max=2**31 - 1)),
                        validate=validate.Length(max=20),
                        metadata={"description": "repeatable: movies with all of them"})
    year = Year()
    year_from = Year()
    year_to = Year()
    min_rating = fields.Float(validate=validate.Range(min=0, max=10))
    language = fields.String(validate=validate.Regexp(r"^[a-z]{2,3}$"))
    sort = fields.String(load_default="-popularity", validate=validate.OneOf(SORT_CHOICES))

    @validates_schema
    def years_in_order(self, data: dict, **_kwargs) -> None:
        if data.get("year_from") and data.get("year_to") and data["year_from"] > data["year_to"]:
            raise ValidationError("year_from is after year_to.", field_name="year_from")


class SearchQueryArgsSchema(PageQueryArgsSchema):
    q = Text(required=True, validate=validate.Length(min=1, max=MAX_QUERY_LENGTH))


class TrendingQueryArgsSchema(PageQueryArgsSchema):
    window = fields.String(load_default="day", validate=validate.OneOf(TRENDING_WINDOWS))


class SyncSchema(StrictSchema):
    kind = fields.String(required=True, validate=validate.OneOf(SYNC_KINDS))


class TaskSchema(Schema):
    task_id = fields.String(required=True)


class DeadLetterSchema(Schema):
    id = fields.Integer(required=True)
    subscriber = fields.String(required=True)
    event_id = fields.String(required=True)
    event_type = fields.String(required=True)
    aggregate_type = fields.String(required=True)
    aggregate_id = fields.String(required=True)
    aggregate_version = fields.Integer(required=True)
    error = fields.String(required=True)
    attempts = fields.Integer(required=True)
    failed_at = fields.DateTime(required=True)


class DeadLetterPageSchema(PageSchema):
    items = fields.List(fields.Nested(DeadLetterSchema), required=True)


class ReplaySchema(Schema):
    replayed = fields.List(fields.Integer(), required=True)
