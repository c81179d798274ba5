"""People before bulk, over HTTP as the frontend does it: while a 5,000-movie import
fills the catalog lane, 50 people register, log in, read their account and sessions,
edit their profile and read it back, sending no consistency token. Every answer is
200 and shows the person's own latest write."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import requests

from catalog_sync import import_catalog
from movienexus.bootstrap import Container
from tests.support.csv_catalog import csv_row, fresh_ids, write_csv
from tests.support.util import eventually, unique_email

PASSWORD = "Popcorn-2026!"
MOVIES, PEOPLE = 5_000, 50


def journey(api: str, n: int) -> list[str]:
    """One person's first minute; returns what went wrong (nothing, if all is well)."""
    http, email, problems = requests.Session(), unique_email(f"bulk{n}"), []

    def expect(response, what: str) -> dict:
        if response.status_code != 200 and response.status_code != 201:
            problems.append(f"{what}: {response.status_code} {response.text[:200]}")
            return {}
        if response.headers.get("X-Consistency") == "stale":
            problems.append(f"{what}: stale")
        return response.json()

    expect(http.post(f"{api}/auth/register", json={"email": email, "password": PASSWORD},
                     timeout=30), "register")
    tokens = expect(http.post(f"{api}/auth/login", json={"email": email,
                                                         "password": PASSWORD},
                              timeout=30), "login")
    if not tokens:
        return problems
    http.headers["Authorization"] = f"Bearer {tokens['access_token']}"
    if expect(http.get(f"{api}/me", timeout=30), "first GET /me").get("email") != email:
        problems.append("GET /me right after login does not show the account")
    sessions = expect(http.get(f"{api}/auth/sessions", timeout=30), "GET /auth/sessions")
    if not any(s.get("current") for s in sessions.get("items", [])):
        problems.append("GET /auth/sessions right after login lacks the current session")
    expect(http.patch(f"{api}/me", json={"first_name": f"Person{n}"}, timeout=30), "PATCH")
    if expect(http.get(f"{api}/me", timeout=30), "GET /me").get("first_name") != f"Person{n}":
        problems.append("GET /me right after PATCH does not show the change")
    return problems


def test_fifty_first_minutes_during_a_five_thousand_movie_import(api_url, settings,
                                                                 tmp_path):
    path = tmp_path / "bulk.csv"
    write_csv(path, [csv_row(tmdb_id, n) for n, tmdb_id in enumerate(fresh_ids(MOVIES))])
    imported = [0]

    def progress(done: int, _total, _what) -> None:
        imported[0] = done

    importing = threading.Thread(target=import_catalog, daemon=True,
                                 args=(Container(settings), path, None, progress))
    importing.start()
    eventually(lambda: imported[0] >= 500, timeout=120, interval=0.05)
    with ThreadPoolExecutor(5) as pool:
        problems = [p for found in pool.map(lambda n: journey(f"{api_url}/api/v1", n),
                                            range(PEOPLE)) for p in found]
    importing.join(timeout=600)
    assert problems == []
    assert imported[0] == MOVIES           # the journeys started at 500: during the import
