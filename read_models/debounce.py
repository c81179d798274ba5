"""One piece of background work per subject within `delay` seconds, however often it is
asked for: the first ask sets a flag in Redis and sends the work (to run after the
delay); later asks find the flag. The work clears the flag before it reads, so an ask
after that sends again. The library projection sets the flags inside its own write
script (`flag`), so an event costs no extra round trip."""
from __future__ import annotations

from typing import Callable

from redis import Redis


class DebouncedAsk:
    def __init__(self, redis: Redis, key_of: Callable[[str], str],
                 send: Callable[[str, float], None], delay: float):
        self.redis, self.key_of, self.send, self.delay = redis, key_of, send, delay
        self.ttl_ms = int(delay * 1000) + 60_000  # a lost send is asked again after this

    def __call__(self, subject: str = "") -> None:
        if self.redis.set(self.key_of(subject), "1", nx=True, px=self.ttl_ms):
            self.send(subject, self.delay)

    def flag(self, subject: str = "") -> tuple[str, int]:
        """The flag's key and lifetime, for a script that sets it (NX)."""
        return self.key_of(subject), self.ttl_ms

    def flagged(self, newly_set: bool, subject: str = "") -> None:
        """After such a script: send if it was the one that set the flag."""
        if newly_set:
            self.send(subject, self.delay)

    def clear(self, subject: str = "") -> None:
        self.redis.delete(self.key_of(subject))
