"""Swagger UI at /api/v1/docs, served from the app itself: the assets come from the
pinned flask-swagger-ui package (swagger-ui-dist), the page has no inline script and is
sent with a Content-Security-Policy that allows only this origin, so the docs work
offline and behind a strict CSP."""
from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import flask_swagger_ui
from flask import Blueprint, Flask, render_template, send_from_directory

SWAGGER_UI_DIST = Path(flask_swagger_ui.__file__).parent / "dist"
SWAGGER_UI_VERSION = version("flask-swagger-ui")
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
    "connect-src 'self'", "font-src 'self'", "base-uri 'none'", "form-action 'self'",
    "frame-ancestors 'none'"])
ASSET_MAX_AGE = 24 * 3600

blp = Blueprint("docs", __name__, url_prefix="/api/v1/docs", template_folder="templates",
                static_folder="static", static_url_path="/static")


@blp.get("")
def swagger_ui():
    return render_template("docs/swagger_ui.html", swagger_ui_version=SWAGGER_UI_VERSION)


@blp.get("/assets/<path:filename>")
def swagger_ui_asset(filename: str):
    return send_from_directory(SWAGGER_UI_DIST, filename, max_age=ASSET_MAX_AGE)


@blp.after_request
def strict_headers(response):
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def install(app: Flask) -> None:
    app.register_blueprint(blp)
