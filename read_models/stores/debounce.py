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


class ThrottledAsk(DebouncedAsk):
    """At most one piece of work per subject every `delay` seconds, the first at once
    (the leading edge): an ask after a quiet spell sends the work now; asks while it is
    cooling down send one more, due when the cool-down ends, so the last change is
    never left out. The work's `clear` starts the cool-down."""

    def cooldown_key(self, subject: str = "") -> str:
        return f"{self.key_of(subject)}:cooldown"

    def __call__(self, subject: str = "") -> None:
        if self.redis.set(self.key_of(subject), "1", nx=True, px=self.ttl_ms):
            self.send(subject, self._due_in(subject))

    def flagged(self, newly_set: bool, subject: str = "") -> None:
        if newly_set:
            self.send(subject, self._due_in(subject))

    def clear(self, subject: str = "") -> None:
        pipe = self.redis.pipeline(transaction=False)
        pipe.delete(self.key_of(subject))
        pipe.set(self.cooldown_key(subject), "1", px=max(1, int(self.delay * 1000)))
        pipe.execute()

    def _due_in(self, subject: str) -> float:
        """Seconds until the cool-down ends (0: none is running)."""
        return max(0, self.redis.pttl(self.cooldown_key(subject))) / 1000
