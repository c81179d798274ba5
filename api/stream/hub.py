"""One Redis subscription per process (`changes:*`), fanned out to the streams of the
person each message names."""
from __future__ import annotations

import asyncio
import logging

import redis.asyncio as aioredis

from read_models.stores.activity import changes_channel

log = logging.getLogger(__name__)


class Hub:
    def __init__(self, redis_url: str):
        self.redis_url = redis_url
        self.listeners: dict[str, set[asyncio.Event]] = {}
        self.prefix = changes_channel("")

    def listen(self, user_id: str) -> asyncio.Event:
        wake = asyncio.Event()
        self.listeners.setdefault(user_id, set()).add(wake)
        return wake

    def forget(self, user_id: str, wake: asyncio.Event) -> None:
        waiting = self.listeners.get(user_id, set())
        waiting.discard(wake)
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
                for wake in waiting:
                    wake.set()

    async def _subscribe(self) -> None:
        client = aioredis.Redis.from_url(self.redis_url)
        async with client.pubsub() as pubsub:
            await pubsub.psubscribe(self.prefix + "*")
            async for message in pubsub.listen():
                if message["type"] == "pmessage":
                    user_id = message["channel"].decode()[len(self.prefix):]
                    for wake in self.listeners.get(user_id, ()):
                        wake.set()
