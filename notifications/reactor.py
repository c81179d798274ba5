"""Turns account events into emails, each at most once per event (recorded by id).

The address and the credentials version come from the users table, never from the
event: whoever can publish to the broker cannot have a valid link mailed elsewhere.
A registration names the user; a mail request names an address, any address (the API
records one alike for known and unknown addresses), and here it is decided whether
a mail goes out: to an account with that address, a verification only while it is
unverified."""
from __future__ import annotations

import uuid

from sqlalchemy import Engine, select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from adapters.db.tables import users
from adapters.email_tokens import EmailTokens
from adapters.mailer import SmtpMailer
from notifications import emails
from adapters.messaging.envelope import Envelope
from adapters.messaging.tables import sent_notifications
from domain.accounts.events import MailRequested, UserRegistered
from domain.accounts.model import MailRequest

REGISTERED = (UserRegistered.aggregate_type, UserRegistered.event_type())
MAIL_REQUESTED = (MailRequested.aggregate_type, MailRequested.event_type())


class EmailReactor:
    def __init__(self, engine: Engine, mailer: SmtpMailer, tokens: EmailTokens,
                 public_base_url: str, reset_minutes: int):
        self.engine, self.mailer, self.tokens = engine, mailer, tokens
        self.base_url, self.reset_minutes = public_base_url.rstrip("/"), reset_minutes

    def react(self, envelope: Envelope) -> bool:
        """Sends the event's email unless it was sent already; True if it sent one."""
        email = self._compose(envelope)
        if email is None or self._already_sent(envelope.event_id):
            return False
        self.mailer.send(email.to, email.subject, email.body, message_id=envelope.event_id)
        with self.engine.begin() as conn:
            conn.execute(pg_insert(sent_notifications).values(
                event_id=envelope.event_id, kind=envelope.event_type).on_conflict_do_nothing())
        return True

    def _compose(self, envelope: Envelope) -> emails.Email | None:
        kind = (envelope.aggregate_type, envelope.event_type)
        if kind == REGISTERED:
            return self._verification(self._user_with_id(envelope.aggregate_id))
        if kind != MAIL_REQUESTED:
            return None
        user = self._user_with_email(envelope.payload.get("email"))
        asked = envelope.payload.get("kind")
        if asked == MailRequest.PASSWORD_RESET:
            return self._reset(user)
        return self._verification(user) if asked == MailRequest.VERIFICATION else None

    def _verification(self, user) -> emails.Email | None:
        if user is None or user.email_verified:
            return None
        token = self.tokens.verification_token(str(user.id), user.email)
        return emails.verification(user.email, self.base_url, token)

    def _reset(self, user) -> emails.Email | None:
        if user is None:
            return None
        token = self.tokens.reset_token(str(user.id), user.credentials_version)
        return emails.password_reset(user.email, self.base_url, token, self.reset_minutes)

    def _user_with_id(self, user_id: str):
        try:
            uuid.UUID(user_id)
        except ValueError:
            return None
        return self._stored_user(users.c.id == user_id)

    def _user_with_email(self, email):
        return self._stored_user(users.c.email == email) if isinstance(email, str) else None

    def _stored_user(self, criterion):
        with self.engine.connect() as conn:
            return conn.execute(select(users.c.id, users.c.email, users.c.email_verified,
                                       users.c.credentials_version).where(criterion)).first()

    def _already_sent(self, event_id: str) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(sent_notifications.c.event_id).where(
                sent_notifications.c.event_id == event_id)).first() is not None
