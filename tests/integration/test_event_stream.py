"""GET /me/events through the real stream process (`events` from the Procfile), with the
relay and workers projecting for real: a real SSE client receives the person's changes
in order, resumes with Last-Event-ID after a disconnect with nothing missed or doubled,
is refused without a live session, and is closed on logout."""
from __future__ import annotations

from dataclasses import replace

import pytest
import requests

from api import create_app
from movienexus.bootstrap import Container
from tests.support.fixtures_tmdb import tmdb_server  # noqa: F401
from tests.support.library import person, some_movies
from tests.support.sse import SseClient
from tests.support.stack import Process, free_port, wait_http

pytestmark = pytest.mark.usefixtures("pipeline")
PATH = "/api/v1/me/events"


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
    stream = SseClient(stream_url, me.access)
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
    resumed = SseClient(stream_url, me.access, last_event_id=got[-1].id)
    again = resumed.take(2)
    assert [(e.event, e.data["data"]["tmdb_id"]) for e in again] == [
        ("FavoriteAdded", third.id), ("WatchlistItemAdded", fourth.id)]
    assert int(again[0].id) > int(got[-1].id)
    me.ok(me.put(f"/me/favorites/{fourth.id}", {"rating": 3}), 201)
    assert resumed.next().data["data"]["tmdb_id"] == fourth.id   # nothing doubled before it
    resumed.close()


def test_heartbeats_flow_and_logout_ends_the_stream(app, stream_url):
    me = person(app)
    stream = SseClient(stream_url, me.access)
    me.ok(me.put(f"/me/watchlist/{some_movies(1, seed=162)[0].id}"), 201)
    assert stream.next().event == "WatchlistItemAdded"
    logout = me.client.post("/api/v1/auth/logout", headers=me.headers)
    assert logout.status_code == 204, logout.get_data(as_text=True)
    events = []
    while (event := stream.next()) is not None:
        events.append(event.event)
    assert events[-1] == "end" and "SessionRevoked" in events
    assert stream.comments > 0


def test_a_stream_needs_a_live_session(app, stream_url):
    refused = requests.get(stream_url, headers={"Authorization": "Bearer nonsense"}, timeout=5)
    assert refused.status_code == 401 and refused.json()["code"] == 401
    assert requests.get(stream_url, timeout=5).status_code == 401
