"""A real SMTP server inside the test process that keeps every message it receives."""
from __future__ import annotations

import re
import threading
import time
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

TOKEN = re.compile(r"token=([A-Za-z0-9._-]+)")


class Inbox:
    def __init__(self):
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        with self._lock:
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def wait_for(self, to: str, subject_part: str, timeout: float = 20.0) -> EmailMessage:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                for message in self.messages:
                    if message["To"] == to and subject_part in message["Subject"]:
                        return message
            time.sleep(0.05)
        raise AssertionError(f"no mail to {to} about {subject_part!r} within {timeout}s")

    def count(self, to: str) -> int:
        with self._lock:
            return sum(1 for m in self.messages if m["To"] == to)

    @staticmethod
    def token_in(message: EmailMessage) -> str:
        return TOKEN.search(message.get_body(("plain",)).get_content()).group(1)


def start_smtp(port: int) -> tuple[Controller, Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, inbox
