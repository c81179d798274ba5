"""How a view runs a command: with the request's message context, through bootstrap."""
from __future__ import annotations

import random
import time

from api.context import container, message_context
from domain.errors import ConcurrencyConflict
from movienexus.bootstrap import Handled


def run(command: object, conflict_retries: int = 0) -> Handled:
    """`conflict_retries`: how often a command that lost a race with another write to
    the same aggregate is run again on the state the winner left (then 409), after a
    short random pause so two writers do not collide again in step."""
    for attempt in range(conflict_retries + 1):
        try:
            return container().handle(command, message_context())
        except ConcurrencyConflict:
            if attempt == conflict_retries:
                raise
            time.sleep(random.uniform(0, 0.005 * (attempt + 1)))
    raise AssertionError("unreachable")
