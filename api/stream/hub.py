"""One Redis subscription per process (`changes:*`), fanned out to the streams of the
person each message names. A message is an applied event's position (the stream reads
the log from where it is) or a notice that is not in the log (an import's progress,
read_models/stores/activity.py `announce`), queued for each of the person's streams."""
from __future__ import annotations

import asyncio
import json
import logging
from collections import deque
from dataclasses import dataclass, field

import redis.asyncio as aioredis

from read_models.stores.activity import changes_channel

log = logging.getLogger(__name__)
MAX_QUEUED_NOTICES = 100  # a stream this far behind loses the oldest (progress only)


@dataclass(frozen=True)
class Notice:
    event: str
    data: dict


@dataclass(eq=False)
class Listener:
    """One stream's wake-up call and the notices it has yet to send."""

    wake: asyncio.Event = field(default_factory=asyncio.Event)
    notices: deque[Notice] = field(default_factory=lambda: deque(maxlen=MAX_QUEUED_NOTICES))

    def take_notices(self) -> list[Notice]:
        taken = list(self.notices)
        self.notices.clear()
        return taken


class Hub:
    def __init__(self, redis_url: str):
        self.redis_url = redis_url
        self.listeners: dict[str, set[Listener]] = {}
        self.prefix = changes_channel("")

    def listen(self, user_id: str) -> Listener:
        listener = Listener()
        self.listeners.setdefault(user_id, set()).add(listener)
        return listener

    def forget(self, user_id: str, listener: Listener) -> None:
        waiting = self.listeners.get(user_id, set())
        waiting.discard(listener)
        if not waiting:
            self.listeners.pop(user_id, None)

    async def run(self) -> None:
        """Forever: (re)subscribe, wake the named person's streams; after a Redis outage
        every stream is woken once (it reads the log, so nothing is missed)."""
        while True:
            try:
                await self._subscribe()
            except (OSError, aioredis.RedisError) as exc:
                log.warning("event hub lost Redis (%r); resubscribing", exc)
                await asyncio.sleep(1.0)
            for waiting in list(self.listeners.values()):
                for listener in waiting:
                    listener.wake.set()

    async def _subscribe(self) -> None:
        client = aioredis.Redis.from_url(self.redis_url)
        async with client.pubsub() as pubsub:
            await pubsub.psubscribe(self.prefix + "*")
            async for message in pubsub.listen():
                if message["type"] == "pmessage":
                    self.deliver(message["channel"].decode()[len(self.prefix):],
                                 message["data"])

    def deliver(self, user_id: str, data: bytes) -> None:
        notice = _notice(data)
        for listener in self.listeners.get(user_id, ()):
            if notice is not None:
                listener.notices.append(notice)
            listener.wake.set()


def _notice(data: bytes) -> Notice | None:
    """The notice a message carries; None for a position (or anything unreadable)."""
    if not data.startswith(b"{"):
        return None
    try:
        found = json.loads(data)
        return Notice(str(found["event"]), dict(found["data"]))
    except (ValueError, KeyError, TypeError):
        log.warning("unreadable notice on the changes channel: %r", data[:200])
        return None
