"""The library over HTTP (Flask test client of the real app) with the relay and a
Celery worker projecting for real, and the bundled TMDb server behind the on-demand
imports: the favorites and watchlist flows with and without consistency tokens, filters
and sorts, bad inputs, isolation between people, concurrent writes, card freshness,
movie counters, the detail's `me` block, stats and recommendations."""
from __future__ import annotations

import json
import threading
from dataclasses import replace

import pytest

from api import create_app
from api.schemas.library import (FavoriteSchema, RecommendationSchema, StatsSchema,
                                 WatchlistItemSchema)
from api.schemas.movies import MovieDetailSchema
from domain.catalog.commands import ImportMovie
from movienexus.bootstrap import Container
from read_models.library_documents import library_key
from tests.support.fixtures_tmdb import tmdb_server  # noqa: F401
from tests.support.library import (CONSISTENCY, assert_library_matches,
                                   assert_movie_counts_match, expected_stats, fully_applied,
                                   pending_deltas, person, some_movies)
from tests.support.util import eventually

pytestmark = pytest.mark.usefixtures("pipeline")


@pytest.fixture(scope="module")
def library_container(settings, tmdb_server):  # noqa: F811
    return Container(replace(settings, tmdb_base_url_raw=tmdb_server.base_url))


@pytest.fixture(scope="module")
def app(library_container):
    return create_app(container=library_container)


def items_of(body: dict) -> list[int]:
    return [item["movie"]["tmdb_id"] for item in body["items"]]


def fresh(response) -> dict:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.headers["X-Consistency"] == "fresh"
    return response.get_json()


# --- the flows, as the frontend does them ----------------------------------------------

def test_the_favorites_flow_with_tokens(app, library_container):
    me = person(app)
    heat, other = some_movies(2)
    added = me.put(f"/me/favorites/{heat.id}", {"rating": 8, "notes": "the diner scene"})
    body = me.ok(added, 201)
    assert not FavoriteSchema().validate(body)
    assert body["movie"]["tmdb_id"] == heat.id and body["movie"]["title"] == heat.title
    assert (body["rating"], body["notes"]) == (8, "the diner scene")
    token = added.headers[CONSISTENCY]
    assert token.split(".")[1:3] == ["library", me.user_id]

    listed = fresh(me.get("/me/favorites", token))
    assert items_of(listed) == [heat.id] and listed["total"] == 1
    shown = listed["items"][0]
    assert {**shown, "movie": None} == {**body, "movie": None}
    assert shown["movie"]["title"] == heat.title

    updated = me.put(f"/me/favorites/{heat.id}", {"rating": 10})
    assert me.ok(updated)["notes"] == "the diner scene", "notes left out are kept"
    stats = fresh(me.get("/me/stats", updated.headers[CONSISTENCY]))
    assert not StatsSchema().validate(stats)
    assert stats["total_favorites"] == 1 and stats["rated_count"] == 1
    assert stats["average_rating"] == 10.0 and stats["rating_histogram"]["10"] == 1
    assert stats["recent_count"] == 1

    second = me.put(f"/me/favorites/{other.id}", {"rating": 5})
    stats = fresh(me.get("/me/stats", second.headers[CONSISTENCY]))
    assert stats["total_favorites"] == 2 and stats["average_rating"] == 7.5

    removed = me.delete(f"/me/favorites/{heat.id}")
    assert removed.status_code == 204 and removed.get_data() == b""
    after = fresh(me.get("/me/favorites", removed.headers[CONSISTENCY]))
    assert items_of(after) == [other.id]
    stats = fresh(me.get("/me/stats", removed.headers[CONSISTENCY]))
    assert stats["total_favorites"] == 1 and stats["average_rating"] == 5.0
    assert stats == expected_stats(library_container, me.user_id)
    assert me.delete(f"/me/favorites/{heat.id}").status_code == 404


def test_the_favorites_flow_without_tokens(app, library_container):
    me = person(app)
    movie = some_movies(1)[0]
    me.ok(me.put(f"/me/favorites/{movie.id}", {"rating": 6}), 201)
    # own-write wait
    eventually(lambda: items_of(me.ok(me.get("/me/favorites"))) == [movie.id])
    me.ok(me.put(f"/me/favorites/{movie.id}", {"rating": 9}))
    # own-write wait
    eventually(lambda: me.ok(me.get("/me/stats"))["average_rating"] == 9.0)
    assert me.ok(me.get("/me/favorites"))["items"][0]["rating"] == 9
    assert me.delete(f"/me/favorites/{movie.id}").status_code == 204
    # own-write wait
    eventually(lambda: me.ok(me.get("/me/favorites"))["total"] == 0)
    assert me.ok(me.get("/me/stats"))["total_favorites"] == 0


@pytest.mark.parametrize("with_tokens", [True, False], ids=["tokens", "no-tokens"])
def test_the_watchlist_flow(app, library_container, with_tokens):
    me = person(app)
    first, second = some_movies(2)

    def read(path, response):
        if with_tokens:
            return fresh(me.get(path, response.headers[CONSISTENCY]))
        return me.ok(me.get(path))

    added = me.put(f"/me/watchlist/{first.id}")
    body = me.ok(added, 201)
    assert not WatchlistItemSchema().validate(body)
    assert body["watched"] is False and body["watched_at"] is None
    me.ok(me.put(f"/me/watchlist/{second.id}", {"watched": True}), 201)
    watched = me.put(f"/me/watchlist/{first.id}", {"watched": True})
    assert me.ok(watched)["watched_at"]
    # own-write wait (without tokens)
    listed = eventually(lambda: (lambda b: b if b["total"] == 2 and all(
        i["watched"] for i in b["items"]) else None)(read("/me/watchlist", watched)))
    assert items_of(listed) == [second.id, first.id], "newest first"
    stats = eventually(lambda: (lambda s: s if s["watched_count"] == 2 else None)(
        read("/me/stats", watched)))
    assert stats["watchlist_count"] == 2
    unwatched = me.put(f"/me/watchlist/{second.id}", {"watched": False})
    me.ok(unwatched)
    # own-write wait (without tokens)
    only = eventually(lambda: (lambda b: b if b["total"] == 1 else None)(
        read("/me/watchlist?watched=true", unwatched)))
    assert items_of(only) == [first.id]
    removed = me.delete(f"/me/watchlist/{first.id}")
    assert removed.status_code == 204
    # own-write wait (without tokens)
    eventually(lambda: items_of(read("/me/watchlist", removed)) == [second.id])
    assert me.delete(f"/me/watchlist/{first.id}").status_code == 404
    eventually(lambda: fully_applied(library_container, me.user_id))
    assert_library_matches(library_container, me.user_id)
