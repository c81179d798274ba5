"""How a view runs a command: with the request's message context, through bootstrap.
What a person writes is remembered as theirs, so their own next read waits for it."""
from __future__ import annotations

import logging

from redis.exceptions import RedisError

from api.context import container, message_context
from domain.ports import CommitResult
from movienexus.bootstrap import Handled

log = logging.getLogger(__name__)


def run(command: object) -> Handled:
    context = message_context()
    handled = container().handle(command, context)
    if context.actor_id:
        remember_own_write(context.actor_id, handled.commit)
    return handled


def remember_own_write(user_id: str, commit: CommitResult) -> None:
    """For writes with no logged-in caller yet (register, login): whose they are."""
    try:
        container().own_writes.remember(user_id, commit)
    except RedisError as exc:       # the read then catches up from the log itself
        log.warning("own write of %s not remembered: %r", user_id, exc)
