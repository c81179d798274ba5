"""Running the app on a real threaded HTTP server until SIGTERM or SIGINT."""
from __future__ import annotations

import logging
import signal
import threading
from typing import Callable

from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from .catalog import Catalog


class QuietRequestHandler(WSGIRequestHandler):
    """No access log line per request (they cost time and flood test output)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


def build_server(app: Flask, host: str, port: int, *, verbose: bool = False) -> BaseWSGIServer:
    """A threaded server bound to (host, port); port 0 picks a free one."""
    handler = WSGIRequestHandler if verbose else QuietRequestHandler
    if verbose:
        logging.basicConfig(level=logging.INFO, format="%(message)s")
    return make_server(host, port, app, threaded=True, request_handler=handler)


def serve_until_signalled(server: BaseWSGIServer, *, drift: Callable[[], None] | None = None,
                          drift_interval: float = 0.0) -> None:
    """Serve until SIGTERM/SIGINT, then stop accepting, finish, and close the socket."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    worker = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                              name="tmdb-server", daemon=True)
    worker.start()
    if drift is not None and drift_interval > 0:
        threading.Thread(target=_drift_loop, args=(drift, drift_interval, stop),
                         name="tmdb-drift", daemon=True).start()
    while not stop.wait(0.5):
        if not worker.is_alive():
            break
    server.shutdown()
    server.server_close()
    worker.join(timeout=5)


def _drift_loop(drift: Callable[[], None], interval: float, stop: threading.Event) -> None:
    while not stop.wait(interval):
        drift()


def catalog_drift(catalog: Catalog) -> Callable[[], None]:
    """One drift step of ``catalog``, for the periodic drift thread."""
    return lambda: catalog.tick()
