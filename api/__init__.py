"""The write and read HTTP API: `create_app()` builds it (gunicorn: `api.wsgi:app`)."""
from __future__ import annotations

from flask import Flask

from api import consistency, context, docs, errors, finisher, inputs, limits, metrics, \
    security, web_app
from api.hot_reads import HotReads
from api.openapi import Api, spec_options
from api.resources import activity, admin, auth, genres, library, me, movies, ops, \
    transfers
from api.stream import pointer as stream_pointer
from api.stream.document import document_stream
from movienexus.bootstrap import Container, bootstrap
from movienexus.config import Settings

TMDB_NOTICE = "This product uses the TMDB API but is not endorsed or certified by TMDB."


def create_app(settings: Settings | None = None, container: Container | None = None) -> Flask:
    container = container or bootstrap(settings)
    settings = container.settings
    app = Flask("movienexus")
    app.extensions["movienexus"] = container
    app.config.update(_openapi_config(), MAX_CONTENT_LENGTH=64 * 1024, JSON_SORT_KEYS=False)
    metrics.install(app)        # after_request hooks run last first: metrics see the end
    finisher.install(app, finisher.Finisher(app, list(settings.cors_origins)))
    context.install(app)
    inputs.install(app)
    consistency.install(app)
    security.configure(app, settings)
    limits.configure(app, settings)
    api = Api(app)
    for blueprint in (auth.blp, me.blp, library.blp, transfers.blp, activity.blp, movies.blp,
                      genres.blp, admin.blp):
        api.register_blueprint(blueprint)
    document_stream(api.spec, stream_pointer.install(app, settings.events_public_url))
    app.register_blueprint(ops.blp)
    docs.install(app)
    web_app.install(app, settings.web_app_dir, settings.events_public_url)
    errors.register(app)
    if settings.hot_reads_enabled:
        app.wsgi_app = HotReads(app, container, app.wsgi_app)
    return app


def _openapi_config() -> dict:
    return {
        "API_TITLE": "Movie Nexus",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "API_SPEC_OPTIONS": spec_options(
            "Movie discovery backend (event-driven CQRS). " + TMDB_NOTICE),
    }
