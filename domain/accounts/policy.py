"""Rules for emails, passwords and profile fields."""
from __future__ import annotations

import re
from zoneinfo import available_timezones

from email_validator import EmailNotValidError, validate_email

from domain.errors import InvalidInput

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
# What email-validator lets through and we do not: a local part over 64 characters, a
# one-letter top-level domain (checked on its normalised form).
EMAIL_PATTERN = re.compile(r"^[^@]{1,64}@[^@]+\.[^@.]{2,}$")
PRIVACY_LEVELS = ("public", "private")
LANGUAGE_PATTERN = re.compile(r"^[a-z]{2,3}(-[A-Z]{2})?$")
_TIMEZONES: frozenset[str] | None = None


def normalise_email(raw: str) -> str:
    """The one spelling of an address, which finds the account and keys every limit:
    email-validator's ASCII form (one mailbox, no quoting, lists or display names; the
    domain through IDNA, so full-width letters, the ideographic and other Unicode full
    stops and a Unicode domain all become its ASCII name; at most 254 characters in
    that form), trimmed, in lower case. Syntax only: no DNS."""
    try:
        checked = validate_email(raw.strip(), check_deliverability=False,
                                 allow_smtputf8=False)
    except EmailNotValidError as exc:
        raise InvalidInput(f"Not a valid email address: {exc}", field="email") from exc
    email = checked.ascii_email.lower()
    if not EMAIL_PATTERN.match(email):
        raise InvalidInput("Not a valid email address.", field="email")
    return email


def _character_classes(password: str) -> int:
    classes = (str.islower, str.isupper, str.isdigit)
    found = sum(any(test(ch) for ch in password) for test in classes)
    return found + any(not ch.isalnum() for ch in password)


def check_password(password: str, email: str, *, field: str = "password") -> None:
    """At least 10 characters, more than one class of character, not the email."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"Password must be at least {MIN_PASSWORD_LENGTH} characters.", field=field)
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(
            f"Password must be at most {MAX_PASSWORD_LENGTH} characters.", field=field)
    if _character_classes(password) < 2:
        raise InvalidInput(
            "Password must mix character classes (letters, digits, symbols).", field=field)
    local_part = email.partition("@")[0]
    if password.strip().lower() in (email.lower(), local_part.lower()):
        raise InvalidInput("Password must not be your email address.", field=field)


def check_timezone(name: str | None) -> None:
    global _TIMEZONES
    if _TIMEZONES is None:
        _TIMEZONES = frozenset(available_timezones())
    if name and name not in _TIMEZONES:
        raise InvalidInput(f"Unknown time zone {name!r}.", field="timezone")


def check_language(tag: str | None) -> None:
    if tag and not LANGUAGE_PATTERN.match(tag):
        raise InvalidInput(
            "preferred_language must look like 'en' or 'en-US'.", field="preferred_language")
