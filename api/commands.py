"""How a view runs a command: with the request's message context, through bootstrap."""
from __future__ import annotations

from api.context import container, message_context
from movienexus.bootstrap import Handled


def run(command: object) -> Handled:
    return container().handle(command, message_context())
