"""GET /me/events through the real stream process (`events` from the Procfile), with the
relay and workers projecting for real: a real SSE client receives the person's changes
in order, resumes with Last-Event-ID after a disconnect with nothing missed or doubled,
gets the stats after each library change and an import's progress as it is recorded,
is refused without a live session, and is closed on logout."""
from __future__ import annotations

import io
from dataclasses import replace
from datetime import datetime

import pytest
import requests

from api import create_app
from movienexus.bootstrap import Container
from tests.support.fixtures_tmdb import tmdb_server  # noqa: F401
from tests.support.import_files import trakt_watchlist
from tests.support.library import person, some_movies
from tests.support.sse import SseClient
from tests.support.stack import Process, free_port, wait_http
from tests.support.util import eventually

pytestmark = pytest.mark.usefixtures("pipeline")
PATH = "/api/v1/me/events"
LOG_ONLY = frozenset({"stats"})
ANNOUNCED_WITHIN_SECONDS = 0.1   # an import's progress, from recorded to received


@pytest.fixture(scope="module")
def app(settings, tmdb_server):  # noqa: F811
    return create_app(container=Container(replace(settings,
                                                  tmdb_base_url_raw=tmdb_server.base_url)))


@pytest.fixture(scope="module")
def stream_url(settings, tmp_path_factory):
    port = free_port()
    process = Process("events", {"DATABASE_URL": settings.database_url,
                                 "REDIS_URL": settings.redis_url, "EVENTS_PORT": str(port),
                                 "EVENTS_HEARTBEAT_SECONDS": "0.5"},
                      tmp_path_factory.mktemp("events")).start()
    base = f"http://127.0.0.1:{port}"
    wait_http(f"{base}/healthz", process)
    yield base + PATH
    process.stop()


def test_changes_arrive_in_order_and_a_reconnect_resumes_where_it_left(app, stream_url):
    me = person(app)
    first, second, third, fourth = some_movies(4, seed=161)
    stream = SseClient(stream_url, me.access, ignore=LOG_ONLY)
    me.ok(me.put(f"/me/favorites/{first.id}", {"rating": 7}), 201)
    me.ok(me.put(f"/me/favorites/{first.id}", {"rating": 8}))
    me.ok(me.put(f"/me/watchlist/{second.id}"), 201)
    got = stream.take(3)
    assert [e.event for e in got] == ["FavoriteAdded", "FavoriteUpdated", "WatchlistItemAdded"]
    assert [e.data["version"] for e in got] == [1, 2, 3]
    assert got[1].data["data"]["changes"] == {"rating": 8}
    assert stream.comments >= 0
    stream.close()

    me.ok(me.put(f"/me/favorites/{third.id}"), 201)        # while disconnected
    me.ok(me.put(f"/me/watchlist/{fourth.id}"), 201)
    resumed = SseClient(stream_url, me.access, last_event_id=got[-1].id, ignore=LOG_ONLY)
    again = resumed.take(2)
    assert [(e.event, e.data["data"]["tmdb_id"]) for e in again] == [
        ("FavoriteAdded", third.id), ("WatchlistItemAdded", fourth.id)]
    assert int(again[0].id) > int(got[-1].id)
    me.ok(me.put(f"/me/favorites/{fourth.id}", {"rating": 3}), 201)
    assert resumed.next().data["data"]["tmdb_id"] == fourth.id   # nothing doubled before it
    resumed.close()


def test_a_library_change_is_followed_by_the_stats_as_they_now_are(app, stream_url):
    me = person(app)
    stream = SseClient(stream_url, me.access)
    first, second = some_movies(2, seed=163)
    me.ok(me.put(f"/me/favorites/{first.id}", {"rating": 6}), 201)
    assert [e.event for e in stream.take(2)] == ["FavoriteAdded", "stats"]
    me.ok(me.put(f"/me/watchlist/{second.id}"), 201)
    added, stats = stream.take(2)
    assert (added.event, stats.event, stats.id) == ("WatchlistItemAdded", "stats", None)
    assert stats.data == me.ok(me.get("/me/stats"))
    assert (stats.data["total_favorites"], stats.data["watchlist_count"]) == (1, 1)
    stream.close()


def test_an_imports_progress_arrives_as_it_is_recorded(app, stream_url):
    me = person(app)
    movies = some_movies(3, seed=164)
    for movie in movies:       # in the catalog, so the import matches them at once
        me.ok(me.put(f"/me/favorites/{movie.id}"), 201)
    stream = SseClient(stream_url, me.access, ignore=LOG_ONLY)
    upload = me.client.post("/api/v1/me/imports", headers=me.headers,
                            data={"file": (io.BytesIO(trakt_watchlist([m.id for m in movies])),
                                           "watchlist.json")},
                            content_type="multipart/form-data")
    import_id = me.ok(upload, 202)["id"]
    progress = []
    while not progress or progress[-1].data["status"] != "done":
        event = stream.next(timeout=60)
        if event.event == "import":
            progress.append(event)
    assert {e.data["id"] for e in progress} == {import_id}
    assert [e.data["status"] for e in progress][:1] == ["matching"]
    assert "writing" in [e.data["status"] for e in progress]
    assert (progress[-1].data["processed"], progress[-1].data["total"]) == (3, 3)
    late = [e.received - datetime.fromisoformat(e.data["recorded_at"]).timestamp()
            for e in progress]
    assert max(late) < ANNOUNCED_WITHIN_SECONDS, late
    stream.close()


def test_heartbeats_flow_and_logout_ends_the_stream(app, stream_url):
    me = person(app)
    stream = SseClient(stream_url, me.access, ignore=LOG_ONLY)
    me.ok(me.put(f"/me/watchlist/{some_movies(1, seed=162)[0].id}"), 201)
    assert stream.next().event == "WatchlistItemAdded"
    eventually(lambda: stream.comments > 0, timeout=5)     # a heartbeat every 0.5 s here
    logout = me.client.post("/api/v1/auth/logout", headers=me.headers)
    assert logout.status_code == 204, logout.get_data(as_text=True)
    events = []
    while (event := stream.next()) is not None:
        events.append(event.event)
    assert events[-1] == "end" and "SessionRevoked" in events


def test_a_stream_needs_a_live_session(app, stream_url):
    refused = requests.get(stream_url, headers={"Authorization": "Bearer nonsense"}, timeout=5)
    assert refused.status_code == 401 and refused.json()["code"] == 401
    assert requests.get(stream_url, timeout=5).status_code == 401
