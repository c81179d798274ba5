"""What the API answers at GET /me/events when the request reaches it rather than the
events process (no proxy in front routing the path): 421 Misdirected Request, naming
where the stream is served. Flask never serves the stream itself: a stream held open
would hold one of gunicorn's workers."""
from __future__ import annotations

from flask import Flask, abort
from werkzeug.routing import Rule

from api.stream.document import PATH


def install(app: Flask, events_url: str) -> Rule:
    def misdirected():
        abort(421, description=f"The event stream is served by the events process: "
                               f"connect to {events_url}{PATH} (Procfile `events`).")

    app.add_url_rule(PATH, "event_stream_pointer", misdirected)
    return next(app.url_map.iter_rules("event_stream_pointer"))
