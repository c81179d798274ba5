"""A person never gets a 500 for a projection's failure: an own read whose catch-up meets
an event that fails to project answers what is projected, `X-Consistency: stale`, counts
it in /metrics and hands the event to the dead letters once, however many reads meet
it (the hot path and the Flask path alike). And booleans are JSON booleans (or, in a
query, `true`/`false`), nothing else. The real app and PostgreSQL, no workers."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest
from sqlalchemy import insert, text

from adapters.db.tables import events
from api import create_app
from api.consistency import OWN_READ_FAILURES
from domain.catalog.commands import ImportMovie
from domain.ports import CommitResult
from tests.support.library import person, served_movies
from tmdb_server import shapes


@pytest.fixture(scope="module")
def iso_app(isolated):
    return create_app(container=isolated)


@pytest.fixture(scope="module")
def movie(isolated) -> int:
    """A stored, complete movie (so no write here asks TMDb)."""
    chosen = served_movies()[123]
    isolated.handle(ImportMovie(shapes.detail(chosen), complete=True))
    isolated.projection_runner.catch_up("movie", str(chosen.id))
    return chosen.id


def poison_the_library(container, user_id: str) -> str:
    """A FavoriteAdded without its fields, written as the person's next library event
    and remembered as their own write (what a read then waits for)."""
    event_id = str(uuid.uuid4())
    with container.engine.begin() as conn:
        version = conn.execute(text(
            "SELECT coalesce(max(aggregate_version), 0) + 1 FROM events "
            "WHERE aggregate_type = 'library' AND aggregate_id = :u"), {"u": user_id}).scalar()
        conn.execute(insert(events).values(
            event_id=event_id, event_type="FavoriteAdded", event_version=1,
            aggregate_type="library", aggregate_id=user_id, aggregate_version=version,
            occurred_at=datetime.now(timezone.utc), payload={"tmdb_id": 1},
            published_at=datetime.now(timezone.utc)))
    container.own_writes.remember(user_id, CommitResult(
        aggregates=(("library", user_id, version),)))
    return event_id


def failures() -> float:
    return OWN_READ_FAILURES.labels("library")._value.get()


def letters_of(container, event_id: str) -> int:
    with container.engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM dead_letters WHERE event_id = :e"),
                            {"e": event_id}).scalar_one()


@pytest.mark.parametrize("path", ["/me/favorites", "/me/favorites?sort=title", "/me/stats",
                                  "/me/watchlist?watched=true"])
def test_an_own_read_meeting_a_failing_event_answers_stale(iso_app, isolated, path):
    me = person(iso_app)
    event_id = poison_the_library(isolated, me.user_id)
    before = failures()
    for _ in range(3):
        response = me.get(path)
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        assert response.headers["X-Consistency"] == "stale"
    assert failures() - before == 3
    assert letters_of(isolated, event_id) == 1          # once, not once per read
    metrics = iso_app.test_client().get("/metrics").get_data(as_text=True)
    assert "own_read_catch_up_failures_total" in metrics


def test_the_detail_me_block_meeting_a_failing_event_answers_stale(iso_app, isolated, movie):
    me = person(iso_app)
    poison_the_library(isolated, me.user_id)
    response = me.get(f"/movies/{movie}")
    assert response.status_code == 200
    assert response.headers["X-Consistency"] == "stale"


# --- strict booleans ----------------------------------------------------------------------

@pytest.mark.parametrize("value", [1, 0, 1.0, "true", "yes", None, [], {}])
def test_watched_must_be_a_json_boolean(iso_app, movie, value):
    me = person(iso_app)
    response = me.put(f"/me/watchlist/{movie}", {"watched": value})
    assert response.status_code == 422, (value, response.get_data(as_text=True)[:300])
    assert "watched" in response.get_json()["errors"]


@pytest.mark.parametrize("value", ["1", "0", "yes", "on", "True", "t", ""])
def test_the_watched_filter_must_be_true_or_false(iso_app, value):
    me = person(iso_app)
    response = me.get(f"/me/watchlist?watched={value}")
    assert response.status_code == 422, (value, response.get_data(as_text=True)[:300])


@pytest.mark.parametrize("value", ["true", "false"])
def test_true_and_false_are_booleans(iso_app, movie, value):
    me = person(iso_app)
    assert me.get(f"/me/watchlist?watched={value}").status_code == 200
    response = me.put(f"/me/watchlist/{movie}", {"watched": value == "true"})
    assert response.status_code == 201, response.get_data(as_text=True)[:300]
    assert response.get_json()["watched"] is (value == "true")
