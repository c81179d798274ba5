"""Schemas shared by many resources: pagination, the list envelope, messages."""
from __future__ import annotations

import math

import re

from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, validate

MAX_PAGE, MAX_PAGE_SIZE = 100_000, 100
# A timestamp the read models send as a string they formatted (`isoformat()` of a UTC time).
DATE_TIME = {"format": "date-time", "description": "ISO 8601 with its offset (UTC)"}
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class Text(fields.String):
    """A string that can be stored and hashed: no NUL characters, no lone surrogates."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if UNSTORABLE.search(text):
            raise ValidationError("Contains characters that are not allowed.")
        return text


class StrictBoolean(fields.Boolean):
    """A JSON boolean, nothing else. marshmallow's `truthy`/`falsy` are membership tests,
    and `1 in {True}` holds in Python: 1, 1.0 and 0 would pass as booleans."""

    default_error_messages = {"invalid": "Not a boolean: send true or false."}

    def _deserialize(self, value, attr, data, **kwargs):
        if value is True or value is False:
            return value
        raise self.make_error("invalid")


class QueryBoolean(fields.Boolean):
    """A boolean in a query string: exactly `true` or `false`."""

    default_error_messages = {"invalid": "Not a boolean: send true or false."}
    _WORDS = {"true": True, "false": False}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and value in self._WORDS:
            return self._WORDS[value]
        raise self.make_error("invalid")


class StrictSchema(Schema):
    """Unknown fields are refused, so a typo in a field name is a clear 422."""


class QueryArgsSchema(Schema):
    class Meta:
        unknown = EXCLUDE


class PageQueryArgsSchema(QueryArgsSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    page_size = fields.Integer(load_default=20, validate=validate.Range(min=1))

    @post_load
    def clamp(self, data: dict, **_kwargs) -> dict:
        data["page_size"] = min(data["page_size"], MAX_PAGE_SIZE)
        return data


def page_meta(page: int, page_size: int, total: int) -> dict:
    """The list envelope's fields beside `items`."""
    return {"page": page, "page_size": page_size, "total": total,
            "total_pages": math.ceil(total / page_size) if total else 0}


def page_envelope(items: list, page: int, page_size: int, total: int) -> dict:
    return {"items": items, **page_meta(page, page_size, total)}


class PageSchema(Schema):
    page = fields.Integer(required=True)
    page_size = fields.Integer(required=True)
    total = fields.Integer(required=True)
    total_pages = fields.Integer(required=True)


class MessageSchema(Schema):
    message = fields.String(required=True)


class ErrorSchema(Schema):
    """The body of every error (api/errors.py builds it)."""
    code = fields.Integer(required=True, metadata={"description": "the HTTP status"})
    status = fields.String(required=True, metadata={"description": "its reason phrase"})
    message = fields.String(required=True, metadata={"description": "for a person"})
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), metadata={
        "description": "validation only: messages by field (nested fields joined by dots)"})
    request_id = fields.String(required=True, metadata={
        "description": "the X-Request-ID of the request, as in the logs"})
