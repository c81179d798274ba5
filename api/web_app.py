"""The reference web app (web/, built by `npm run build` into WEB_APP_DIR), served at the
site's root by the API process: its page, script, style and images, under a strict
Content-Security-Policy (no inline script; posters from TMDb's image host only; calls
to this origin and to the event stream's, EVENTS_PUBLIC_URL, which the page names in
its `movienexus-events-url` meta tag). The pages the emails link to (/verify-email,
/reset-password) are the same page."""
from __future__ import annotations

from html import escape
from pathlib import Path

from flask import Blueprint, Flask, Response, abort, send_from_directory

from api.docs import content_security_policy, strict_headers
from read_models.stores.movie_documents import POSTER_BASE_URL

POSTER_ORIGIN = "/".join(POSTER_BASE_URL.split("/")[:3])
EVENTS_META = '<meta name="movienexus-events-url" content="">'
PAGES = ("/", "/verify-email", "/reset-password")
ASSETS = {"app.js", "app.js.map", "app.css", "placeholder.svg", "favicon.svg"}


def policy(events_url: str) -> str:
    """The page's CSP: its own origin, and the event stream's (CORS lets it read it)."""
    return content_security_policy(f"'self' data: {POSTER_ORIGIN}", f"'self' {events_url}")


def install(app: Flask, directory: str, events_url: str) -> None:
    root = Path(directory)
    blp = Blueprint("web_app", __name__)

    def page():
        if not (root / "index.html").is_file():
            abort(404, description="The web app is not built: `make run` builds it (web/).")
        html = (root / "index.html").read_text().replace(
            EVENTS_META, EVENTS_META.replace('content=""', f'content="{escape(events_url)}"'))
        return Response(html, mimetype="text/html", headers={"Cache-Control": "no-cache"})

    def asset(name: str):
        return send_from_directory(root, name, max_age=0)

    for path in PAGES:
        blp.add_url_rule(path, f"page{path.replace('/', '_')}", page)
    for name in sorted(ASSETS):
        blp.add_url_rule(f"/{name}", f"asset_{name.replace('.', '_')}", asset,
                         defaults={"name": name})

    blp.after_request(strict_headers(policy(events_url)))
    app.register_blueprint(blp)
