"""`python -m api.stream`: the event stream process (Procfile `events`)."""
from __future__ import annotations

import asyncio
import logging

from api.stream.app import make_app, make_streams
from movienexus.bootstrap import bootstrap
from read_models.queries.library_queries import stats_body


async def serve() -> None:
    container = bootstrap()
    settings = container.settings
    streams = make_streams(settings, container.live_sessions,
                           lambda user_id: stats_body(container.library_reads, user_id))
    make_app(streams).listen(settings.events_port, settings.events_host)
    logging.getLogger(__name__).info("event streams on %s:%d", settings.events_host,
                                     settings.events_port)
    await streams.hub.run()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(serve())
