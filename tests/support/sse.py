"""A small server-sent-events client over requests (a real HTTP stream): a thread reads
the stream and queues each event (id, event, data, when it arrived); the stream's end
queues None. Events named in `ignore` are not queued (a test of the log's order ignores
the `stats` the stream sends after library events)."""
from __future__ import annotations

import json
import queue
import threading
import time
from dataclasses import dataclass, field

import requests


@dataclass(frozen=True)
class Event:
    id: str | None
    event: str
    data: dict
    received: float = field(default_factory=time.time, compare=False)


class SseClient:
    def __init__(self, url: str, token: str, last_event_id: str | None = None,
                 ignore: frozenset[str] = frozenset()):
        self.ignore = ignore
        headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
        if last_event_id:
            headers["Last-Event-ID"] = last_event_id
        self.response = requests.get(url, headers=headers, stream=True, timeout=(5, 60))
        self.events: queue.Queue = queue.Queue()
        self.comments = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        fields: dict[str, str] = {}
        try:
            for raw in self.response.iter_lines(decode_unicode=True):
                if raw == "":
                    if fields and fields.get("event", "message") not in self.ignore:
                        self.events.put(Event(fields.get("id"), fields.get("event", "message"),
                                              json.loads(fields.get("data", "{}"))))
                    fields = {}
                elif raw.startswith(":"):
                    self.comments += 1
                else:
                    name, _, value = raw.partition(":")
                    fields[name] = value.lstrip(" ")
        except (requests.RequestException, ValueError, AttributeError):  # closed meanwhile
            pass
        self.events.put(None)

    def next(self, timeout: float = 20.0) -> Event | None:
        return self.events.get(timeout=timeout)

    def take(self, count: int, timeout: float = 20.0) -> list[Event]:
        return [self.next(timeout) for _ in range(count)]

    def close(self) -> None:
        self.response.close()
