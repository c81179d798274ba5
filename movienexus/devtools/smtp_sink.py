"""A local SMTP server for development: prints each mail and saves it as .eml."""
from __future__ import annotations

import re
import time
from email import message_from_bytes, policy
from pathlib import Path

from aiosmtpd.controller import Controller

LINK = re.compile(r"https?://\S+")


class SavingHandler:
    def __init__(self, directory: Path):
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        message = message_from_bytes(envelope.content, policy=policy.default)
        path = self.directory / f"{time.strftime('%Y%m%d-%H%M%S')}-{time.time_ns()}.eml"
        path.write_bytes(envelope.content)
        body = message.get_body(("plain",))
        links = LINK.findall(body.get_content() if body else "")
        print(f"mail to {', '.join(envelope.rcpt_tos)}: {message['Subject']} -> {path}"
              + "".join(f"\n  link: {link}" for link in links), flush=True)
        return "250 Message accepted for delivery"


def serve(host: str, port: int, directory: str) -> None:
    controller = Controller(SavingHandler(Path(directory)), hostname=host, port=port)
    controller.start()
    print(f"SMTP sink on {host}:{port}, saving mail under {directory}/", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()
