"""The write and read HTTP API: `create_app()` builds it (gunicorn: `api.wsgi:app`)."""
from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from api import (compression, consistency, context, cors, errors, limits, metrics,
                 security)
from api.resources import admin, auth, genres, library, me, movies, ops
from movienexus.bootstrap import Container, bootstrap
from movienexus.config import Settings

TMDB_NOTICE = "This product uses the TMDB API but is not endorsed or certified by TMDB."


def create_app(settings: Settings | None = None, container: Container | None = None) -> Flask:
    container = container or bootstrap(settings)
    settings = container.settings
    app = Flask("movienexus")
    app.extensions["movienexus"] = container
    app.config.update(_openapi_config(), MAX_CONTENT_LENGTH=64 * 1024, JSON_SORT_KEYS=False)
    context.install(app)
    metrics.install(app)
    consistency.install(app)
    compression.install(app)
    security.configure(app, settings)
    limits.configure(app, settings)
    cors.install(app, list(settings.cors_origins))
    api = Api(app)
    for blueprint in (auth.blp, me.blp, library.blp, movies.blp, genres.blp, admin.blp):
        api.register_blueprint(blueprint)
    app.register_blueprint(ops.blp)
    errors.register(app)
    return app


def _openapi_config() -> dict:
    return {
        "API_TITLE": "Movie Nexus",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "/docs",
        "OPENAPI_SWAGGER_UI_URL": "https://cdn.jsdelivr.net/npm/swagger-ui-dist/",
        "API_SPEC_OPTIONS": {"info": {"description": (
            "Movie discovery backend (event-driven CQRS). " + TMDB_NOTICE)},
            "components": {"securitySchemes": {"bearerAuth": {
                "type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}}},
    }
