"""Schemas of /auth and /me."""
from __future__ import annotations

from zoneinfo import available_timezones

from marshmallow import Schema, ValidationError, fields, validate

from api.schemas.common import PageSchema, StrictSchema, Text
from domain.accounts import policy
from domain.errors import InvalidInput

# The domain checks these rules (a 400 naming the field); the document states them.
EMAIL_DOC = {"format": "email", "description": "one mailbox (email-validator's syntax check: no lists, "
             "display names or quoting, no special-use domain such as .test), normalised "
             "(trimmed, lower case, the domain in its ASCII form)"}
NEW_PASSWORD_DOC = {
    "minLength": policy.MIN_PASSWORD_LENGTH,
    # Two neighbouring characters of different classes (lower, upper, digit, other).
    "pattern": "[a-z][^a-z]|[^a-z][a-z]|[A-Z][^A-Z]|[^A-Z][A-Z]|[0-9][^0-9]|[^0-9][0-9]",
    "description": f"at least {policy.MIN_PASSWORD_LENGTH} characters, of more than one "
                   "class (lower case, upper case, digits, others), and not the email "
                   "address or its local part"}
TIMEZONE_DOC = {"enum": ["", *sorted(available_timezones())],
                "description": "an IANA time zone name, or empty"}
LANGUAGE_DOC = {"pattern": r"^([a-z]{2,3}(-[A-Z]{2})?)?$",  # policy.LANGUAGE_PATTERN, or ""
                "description": "like `en` or `en-US`, or empty"}


class EmailAddress(Text):
    """One mailbox in the one spelling the accounts and the rate limits use
    (`policy.normalise_email`)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return policy.normalise_email(text)
        except InvalidInput as exc:
            raise ValidationError(exc.message) from exc


Email = lambda **kw: EmailAddress(  # noqa: E731
    validate=validate.Length(min=3, max=254), metadata=EMAIL_DOC, **kw)
Password = lambda **kw: Text(validate=validate.Length(min=1, max=256), **kw)  # noqa: E731
NewPassword = lambda **kw: Text(validate=validate.Length(max=256),  # noqa: E731
                                metadata=NEW_PASSWORD_DOC, **kw)
Name = lambda: Text(validate=validate.Length(max=100))  # noqa: E731
Token = lambda: Text(required=True, validate=validate.Length(min=10, max=1000))  # noqa: E731


class RegisterSchema(StrictSchema):
    email = Email(required=True)
    password = NewPassword(required=True)
    first_name = Name()
    last_name = Name()


class UserSchema(Schema):
    id = fields.String(required=True)
    email = fields.String(required=True)
    first_name = fields.String()
    last_name = fields.String()
    email_verified = fields.Boolean(required=True)
    role = fields.String()


class TokenSchema(StrictSchema):
    token = Token()


class EmailSchema(StrictSchema):
    email = Email(required=True)


class LoginSchema(StrictSchema):
    email = Email(required=True)
    password = Password(required=True)


class TokenPairSchema(Schema):
    access_token = fields.String(required=True)
    refresh_token = fields.String(required=True)
    token_type = fields.String(required=True)
    expires_in = fields.Integer(required=True)
    user = fields.Nested(UserSchema)


class PasswordChangeSchema(StrictSchema):
    current_password = Password(required=True)
    new_password = NewPassword(required=True)


class PasswordResetConfirmSchema(StrictSchema):
    token = Token()
    new_password = NewPassword(required=True)


class VerifiedSchema(Schema):
    email_verified = fields.Boolean(required=True)


class SessionSchema(Schema):
    id = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    last_seen_at = fields.DateTime(required=True)
    ip = fields.String()
    user_agent = fields.String()
    current = fields.Boolean()


class SessionPageSchema(PageSchema):
    items = fields.List(fields.Nested(SessionSchema))


class ProfileSchema(StrictSchema):
    bio = Text(validate=validate.Length(max=1000))
    location = Text(validate=validate.Length(max=100))
    timezone = Text(validate=validate.Length(max=64), metadata=TIMEZONE_DOC)
    preferred_language = Text(validate=validate.Length(max=16), metadata=LANGUAGE_DOC)
    favorite_genres = fields.List(fields.Integer(validate=validate.Range(min=1, max=10**9)),
                                  validate=validate.Length(max=30))
    privacy = fields.String(validate=validate.OneOf(["public", "private"]))


class MeSchema(UserSchema):
    created_at = fields.String()
    profile = fields.Nested(ProfileSchema)


class MeUpdateSchema(StrictSchema):
    first_name = Name()
    last_name = Name()
    profile = fields.Nested(ProfileSchema)
