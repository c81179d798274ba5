"""The reference web app (web/), served at the site's root by the API under gunicorn:
its page under a strict CSP with no inline script, and the whole journey in Debian's
Chromium, headless, driven by playwright-core (web/e2e/browser-journey.mjs): browse,
search with a typo by keyboard, detail, register, verify through the emailed link, log in,
favorite with a rating and notes, watchlist and watched, stats, recommendations with
reasons, log out; axe-core on the main pages; screenshots under var/web-app."""
from __future__ import annotations

import os
import re
import subprocess

import requests

from api.web_app import policy
from tests.contract.conftest import EVENTS_URLS
from tests.support.frontend import REPO

JOURNEY = REPO / "web" / "e2e" / "browser-journey.mjs"
SCREENSHOTS = REPO / "var" / "web-app"


def test_the_page_is_served_under_a_strict_csp_with_no_inline_script(contract_api):
    events_url = EVENTS_URLS[contract_api]
    for path in ("/", "/verify-email?token=x"):
        page = requests.get(f"{contract_api}{path}", timeout=10)
        assert page.status_code == 200, (path, page.text[:300])
        assert page.headers["Content-Security-Policy"] == policy(events_url)
        assert f"connect-src 'self' {events_url};" in policy(events_url)
        assert "'unsafe-inline'" not in policy(events_url)
        assert f'<meta name="movienexus-events-url" content="{events_url}">' in page.text
        assert re.findall(r"<script[^>]*>", page.text) == [
            '<script type="module" src="/app.js">'], "one script, from the origin"
        assert re.search(r"\son[a-z]+=", page.text) is None, "no inline event handler"
    script = requests.get(f"{contract_api}/app.js", timeout=10)
    assert script.status_code == 200 and "javascript" in script.headers["Content-Type"]
    assert "fetch(" not in (REPO / "web" / "src" / "main.ts").read_text(), \
        "the web app calls the API only through the client"


def test_the_whole_journey_in_headless_chromium(contract_api, contract_catalog, chromium, smtp):
    journey = subprocess.Popen(
        ["node", str(JOURNEY)], cwd=REPO, text=True, stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        env={**os.environ, "BASE_URL": contract_api, "CHROMIUM": chromium,
             "SCREENSHOTS": str(SCREENSHOTS)})
    output = []
    try:
        for line in journey.stdout:
            output.append(line)
            if line.startswith("MAIL "):
                mail = smtp.wait_for(line.split()[1], "Confirm your Movie Nexus email")
                link = re.search(r"https?://\S+/verify-email\?token=\S+",
                                 mail.get_body(("plain",)).get_content()).group(0)
                journey.stdin.write(link + "\n")
                journey.stdin.flush()
        journey.wait(timeout=300)
    finally:
        if journey.poll() is None:
            journey.kill()
    text = "".join(output)
    print(text[-2000:])
    assert journey.returncode == 0 and "journey: ok" in text, text[-8000:]
    assert {"home.png", "detail.png", "library.png"} <= {p.name for p in SCREENSHOTS.iterdir()}
