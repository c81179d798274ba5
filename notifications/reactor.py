"""Turns account events into emails, each at most once per event (recorded by id)."""
from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from adapters.email_tokens import EmailTokens
from adapters.mailer import SmtpMailer
from notifications import emails
from adapters.messaging.envelope import Envelope
from adapters.messaging.tables import sent_notifications


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
        p, user_id = envelope.payload, envelope.aggregate_id
        if envelope.event_type in ("UserRegistered", "VerificationEmailRequested"):
            token = self.tokens.verification_token(user_id, p["email"])
            return emails.verification(p["email"], self.base_url, token)
        if envelope.event_type == "PasswordResetRequested":
            token = self.tokens.reset_token(user_id, p["credentials_version"])
            return emails.password_reset(p["email"], self.base_url, token, self.reset_minutes)
        return None

    def _already_sent(self, event_id: str) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(sent_notifications.c.event_id).where(
                sent_notifications.c.event_id == event_id)).first() is not None
