"""Schemas of /me/favorites, /me/watchlist, /me/stats and /me/recommendations. The item
and stats schemas document the bodies the read models assemble (a test validates them)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.schemas.common import (DATE_TIME, PageQueryArgsSchema, PageSchema, QueryBoolean,
                                StrictBoolean, StrictSchema, Text)
from api.schemas.movies import MAX_QUERY_LENGTH, MovieCardSchema
from domain.library.model import MAX_NOTES, MAX_RATING, MIN_RATING
from read_models.queries.library_queries import FAVORITE_SORTS, WATCHLIST_SORTS

Rating = lambda **kw: fields.Integer(strict=True, validate=validate.Range(  # noqa: E731
    min=MIN_RATING, max=MAX_RATING), **kw)


def _choices(sorts: tuple[str, ...]) -> list[str]:
    return [*sorts, *(f"-{name}" for name in sorts)]


class FavoriteBodySchema(StrictSchema):
    rating = Rating(allow_none=True, metadata={
        "description": "1-10; null clears it; left out, it keeps its value"})
    notes = Text(allow_none=True, validate=validate.Length(max=MAX_NOTES), metadata={
        "description": "at most 1,000 characters; null or blank clears them"})


class WatchlistBodySchema(StrictSchema):
    watched = StrictBoolean(metadata={
        "description": "left out: a new item is unwatched, an existing one keeps its state"})


class _ListQueryArgsSchema(PageQueryArgsSchema):
    q = fields.String(validate=validate.Length(min=1, max=MAX_QUERY_LENGTH),
                      metadata={"description": "within titles"})
    genre = fields.List(fields.Integer(validate=validate.Range(min=1, max=2**31 - 1)),
                        validate=validate.Length(max=20),
                        metadata={"description": "repeatable: movies with all of them"})


class FavoriteQueryArgsSchema(_ListQueryArgsSchema):
    min_rating = fields.Integer(validate=validate.Range(min=MIN_RATING, max=MAX_RATING))
    sort = fields.String(load_default="-added_at",
                         validate=validate.OneOf(_choices(FAVORITE_SORTS)))


class WatchlistQueryArgsSchema(_ListQueryArgsSchema):
    watched = QueryBoolean(metadata={"description": "true or false"})
    sort = fields.String(load_default="-added_at",
                         validate=validate.OneOf(_choices(WATCHLIST_SORTS)))


class FavoriteSchema(Schema):
    movie = fields.Nested(MovieCardSchema, required=True)
    rating = fields.Integer(required=True, allow_none=True)
    notes = fields.String(required=True, allow_none=True)
    added_at = fields.String(required=True, metadata=DATE_TIME)
    updated_at = fields.String(required=True, metadata=DATE_TIME)


class WatchlistItemSchema(Schema):
    movie = fields.Nested(MovieCardSchema, required=True)
    added_at = fields.String(required=True, metadata=DATE_TIME)
    watched = fields.Boolean(required=True)
    watched_at = fields.String(required=True, allow_none=True, metadata=DATE_TIME)


class FavoritePageSchema(PageSchema):
    items = fields.List(fields.Nested(FavoriteSchema), required=True)


class WatchlistPageSchema(PageSchema):
    items = fields.List(fields.Nested(WatchlistItemSchema), required=True)


class GenreCountSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    count = fields.Integer(required=True)


class DecadeCountSchema(Schema):
    decade = fields.Integer(required=True, metadata={"example": 1990})
    count = fields.Integer(required=True)


class StatsSchema(Schema):
    total_favorites = fields.Integer(required=True)
    watchlist_count = fields.Integer(required=True)
    watched_count = fields.Integer(required=True)
    rated_count = fields.Integer(required=True)
    average_rating = fields.Float(required=True, allow_none=True)
    recent_count = fields.Integer(required=True, metadata={
        "description": "favorites added in the last 30 days"})
    top_genres = fields.List(fields.Nested(GenreCountSchema), required=True,
                             metadata={"description": "the 5 most favorited genres"})
    by_decade = fields.List(fields.Nested(DecadeCountSchema), required=True)
    rating_histogram = fields.Dict(keys=fields.String(), values=fields.Integer(),
                                   required=True, metadata={"description": '"1".."10"'})


class RecommendationSchema(Schema):
    movie = fields.Nested(MovieCardSchema, required=True)
    score = fields.Float(required=True)
    reasons = fields.List(fields.String(), required=True)


class RecommendationPageSchema(PageSchema):
    items = fields.List(fields.Nested(RecommendationSchema), required=True)
