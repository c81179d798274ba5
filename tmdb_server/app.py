"""The WSGI application: TMDb's /3 paths, the /__control API, error bodies, stats."""
from __future__ import annotations

import logging
import time
from typing import Iterable

from flask import Flask, Response, g, request
from werkzeug.exceptions import InternalServerError, MethodNotAllowed, NotFound

from . import control, errors, views, web
from .catalog import Catalog
from .errors import TmdbError
from .faults import FaultInjector, FaultSettings
from .state import DEFAULT_API_KEY, ServerState
from .stats import RequestStats
from .web import error_response

log = logging.getLogger(__name__)


def create_app(catalog: Catalog, *, api_keys: Iterable[str] = (DEFAULT_API_KEY,),
               faults: FaultSettings | None = None, fault_seed: int | None = None) -> Flask:
    """A Flask app serving ``catalog`` like TMDb v3.

    ``api_keys`` are accepted both as ``?api_key=`` and as Bearer tokens;
    ``faults`` are in force from the start (``/__control/reset`` clears them);
    ``fault_seed`` (default: the catalog's seed) seeds the fault draws.
    """
    app = Flask(__name__)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.json.compact = True  # type: ignore[attr-defined]
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # UTF-8, as TMDb sends
    seed = catalog.seed if fault_seed is None else fault_seed
    app.extensions[web.STATE_KEY] = ServerState(
        catalog=catalog,
        faults=FaultInjector(faults, seed=seed),
        stats=RequestStats(),
        credentials=frozenset(api_keys),
    )
    app.register_blueprint(views.blueprint, url_prefix="/3")
    app.register_blueprint(control.blueprint, url_prefix=control.PREFIX)
    _install_hooks(app)
    return app


def _install_hooks(app: Flask) -> None:
    app.before_request(_note_arrival)
    app.after_request(_count)
    app.register_error_handler(TmdbError, error_response)
    app.register_error_handler(NotFound, lambda _: error_response(errors.not_found()))
    app.register_error_handler(MethodNotAllowed, lambda _: error_response(
        TmdbError(405, 2, "Invalid service: this service does not exist.")))
    app.register_error_handler(InternalServerError, _internal_error)


def _internal_error(error: InternalServerError) -> Response:
    log.error("unhandled error", exc_info=error.original_exception)
    return error_response(errors.server_error(500))


def _note_arrival() -> None:
    g.arrived_at = time.time()


def _count(response: Response) -> Response:
    if not request.path.startswith(control.PREFIX):
        arrived_at = g.get("arrived_at", time.time())
        web.state().stats.record(request.path, response.status_code, arrived_at)
    return response

