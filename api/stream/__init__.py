"""GET /me/events: a server-sent-events stream of the person's own applied changes,
served by a process made for long-lived connections (tornado's event loop, one
coroutine per stream), beside the Flask app, so a stream never holds a sync worker.

The projection runner announces each applied event's position on the person's Redis
channel (read_models/activity.py); the stream reads what follows its last sent position
from the event log and sends it with the position as its id, so a client reconnecting
with Last-Event-ID misses nothing and gets nothing twice. More than EVENTS_REPLAY_LIMIT
missed events send a `reset` (refetch everything) instead. A comment line every
EVENTS_HEARTBEAT_SECONDS keeps proxies from closing the stream; the session is checked
then and on every change, and a revoked one ends the stream with an `end` event.

After library events the stream sends `stats` (the person's stats as they now are);
notices that are not in the log (an import's progress, `import`) come on the same Redis
channel and are sent as they arrive, without an id. The OpenAPI document describes the
stream (document.py); the API answers 421 at its path, naming where it is (pointer.py)."""
