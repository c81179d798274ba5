"""/api/v1/docs in a real headless browser (Debian's chromium, which scripts/test.sh
installs when it is missing): Swagger UI loads from the app itself, with no network
beyond it, under the page's strict Content-Security-Policy, and lists the operations."""
from __future__ import annotations

import re
import subprocess
from importlib.metadata import version

import requests

from api.docs import CONTENT_SECURITY_POLICY

BROWSER_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--enable-logging=stderr",
                 "--log-level=0", "--virtual-time-budget=15000"]
LISTED = ["/api/v1/movies/popular", "/api/v1/movies/{tmdb_id}", "/api/v1/auth/login",
          "/api/v1/me", "/api/v1/admin/sync"]


def rendered(chromium: str, url: str, profile) -> subprocess.CompletedProcess:
    return subprocess.run([chromium, *BROWSER_FLAGS, f"--user-data-dir={profile}",
                           "--dump-dom", url], capture_output=True, text=True, timeout=120)


def test_swagger_ui_lists_the_operations_offline_under_a_strict_csp(contract_api, chromium,
                                                                     tmp_path):
    page = requests.get(f"{contract_api}/api/v1/docs", timeout=10)
    assert page.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
    assert "<script>" not in page.text  # no inline script: every script has a src
    scripts = re.findall(r'<script src="([^"]+)"', page.text)
    assert scripts and all(src.startswith("/api/v1/docs/") for src in scripts), scripts
    assert f'content="{version("flask-swagger-ui")}"' in page.text

    browser = rendered(chromium, f"{contract_api}/api/v1/docs", tmp_path / "profile")
    dom, log = browser.stdout, browser.stderr
    assert browser.returncode == 0, log[-3000:]
    console = [line for line in log.splitlines() if ":CONSOLE" in line]
    assert not [line for line in console if "Content Security Policy" in line], console
    assert 'id="swagger-ui"' in dom and "opblock-summary" in dom, dom[:2000]
    for path in LISTED:
        assert f'data-path="{path}"' in dom, (path, console)
    assert "Log in: an access token, a refresh token and the user." in dom
