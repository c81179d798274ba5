"""How a view runs a command: with the request's message context, through bootstrap.
What a person writes is remembered as theirs, so their own next read waits for it."""
from __future__ import annotations

import logging
import random
import time

from redis.exceptions import RedisError

from api.context import container, message_context
from domain.errors import ConcurrencyConflict
from domain.ports import CommitResult
from movienexus.bootstrap import Handled

log = logging.getLogger(__name__)


def run(command: object, conflict_retries: int = 0) -> Handled:
    """`conflict_retries`: how often a command that lost a race with another write to
    the same aggregate is run again on the state the winner left (then 409), after a
    short random pause so two writers do not collide again in step."""
    context = message_context()
    for attempt in range(conflict_retries + 1):
        try:
            handled = container().handle(command, context)
            break
        except ConcurrencyConflict:
            if attempt == conflict_retries:
                raise
            time.sleep(random.uniform(0, 0.005 * (attempt + 1)))
    if context.actor_id:
        remember_own_write(context.actor_id, handled.commit)
    return handled


def remember_own_write(user_id: str, commit: CommitResult) -> None:
    """For writes with no logged-in caller yet (register, login): whose they are."""
    try:
        container().own_writes.remember(user_id, commit)
    except RedisError as exc:       # the read then catches up from the log itself
        log.warning("own write of %s not remembered: %r", user_id, exc)
