"""GET /me/events: a server-sent-events stream of the person's own applied changes,
served by a process made for long-lived connections (tornado's event loop, one
coroutine per stream), beside the Flask app, so a stream never holds a sync worker.

The projection runner announces each applied event's position on the person's Redis
channel (read_models/activity.py); the stream reads what follows its last sent position
from the event log and sends it with the position as its id, so a client reconnecting
with Last-Event-ID misses nothing and gets nothing twice. More than EVENTS_REPLAY_LIMIT
missed events send a `reset` (refetch everything) instead. A comment line every
EVENTS_HEARTBEAT_SECONDS keeps proxies from closing the stream; the session is checked
then and on every change, and a revoked one ends the stream with an `end` event."""
