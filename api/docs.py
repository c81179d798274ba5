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


def content_security_policy(img_src: str = "'self' data:", connect_src: str = "'self'") -> str:
    """Only this origin: no inline script or style, no frames, no other hosts."""
    return "; ".join([
        "default-src 'none'", "script-src 'self'", "style-src 'self'", f"img-src {img_src}",
        f"connect-src {connect_src}", "font-src 'self'", "base-uri 'none'", "form-action 'self'",
        "frame-ancestors 'none'"])


CONTENT_SECURITY_POLICY = content_security_policy()
ASSET_MAX_AGE = 24 * 3600

blp = Blueprint("docs", __name__, url_prefix="/api/v1/docs", template_folder="templates",
                static_folder="static", static_url_path="/static")


@blp.get("")
def swagger_ui():
    return render_template("docs/swagger_ui.html", swagger_ui_version=SWAGGER_UI_VERSION)


@blp.get("/assets/<path:filename>")
def swagger_ui_asset(filename: str):
    return send_from_directory(SWAGGER_UI_DIST, filename, max_age=ASSET_MAX_AGE)


def strict_headers(policy: str):
    def add(response):
        response.headers["Content-Security-Policy"] = policy
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response
    return add


blp.after_request(strict_headers(CONTENT_SECURITY_POLICY))


def install(app: Flask) -> None:
    app.register_blueprint(blp)
