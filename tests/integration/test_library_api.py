"""The library over HTTP (Flask test client of the real app) with the relay and a
Celery worker projecting for real, and the bundled TMDb server behind the on-demand
imports: the favorites and watchlist flows with and without consistency tokens, filters
and sorts, bad inputs, isolation between people, concurrent writes, card freshness,
movie counters, the detail's `me` block, stats and recommendations."""
from __future__ import annotations

import threading
from dataclasses import replace

import pytest
from sqlalchemy import text

from api import create_app
from api.schemas.library import FavoriteSchema, StatsSchema, WatchlistItemSchema
from movienexus.bootstrap import Container
from tests.support.fixtures_tmdb import tmdb_server  # noqa: F401
from tests.support.library import (CONSISTENCY, assert_library_matches, expected_stats,
                                   fully_applied, person, some_movies)
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
    """No token sent: each read right after a write shows it (the server waits for the
    person's own last writes)."""
    me.ok(me.put(f"/me/favorites/{movie.id}", {"rating": 6}), 201)
    assert items_of(me.ok(me.get("/me/favorites"))) == [movie.id]
    me.ok(me.put(f"/me/favorites/{movie.id}", {"rating": 9}))
    assert me.ok(me.get("/me/stats"))["average_rating"] == 9.0
    assert me.ok(me.get("/me/favorites"))["items"][0]["rating"] == 9
    assert me.delete(f"/me/favorites/{movie.id}").status_code == 204
    assert me.ok(me.get("/me/favorites"))["total"] == 0
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
    listed = read("/me/watchlist", watched)      # with or without a token: at once
    assert listed["total"] == 2 and all(i["watched"] for i in listed["items"])
    assert items_of(listed) == [second.id, first.id], "newest first"
    stats = read("/me/stats", watched)
    assert stats["watched_count"] == 2 and stats["watchlist_count"] == 2
    unwatched = me.put(f"/me/watchlist/{second.id}", {"watched": False})
    me.ok(unwatched)
    only = read("/me/watchlist?watched=true", unwatched)
    assert only["total"] == 1 and items_of(only) == [first.id]
    removed = me.delete(f"/me/watchlist/{first.id}")
    assert removed.status_code == 204
    assert items_of(read("/me/watchlist", removed)) == [second.id]
    assert me.delete(f"/me/watchlist/{first.id}").status_code == 404
    eventually(lambda: fully_applied(library_container, me.user_id))
    assert_library_matches(library_container, me.user_id)


# --- filters and sorts ------------------------------------------------------------------

RATINGS = [9, None, 4, 7, 10]


@pytest.fixture(scope="module")
def collector(app, library_container):
    """Someone with five favorites (ratings above, one unrated), all projected."""
    me = person(app)
    chosen = some_movies(5)
    for movie, rating in zip(chosen, RATINGS):
        me.ok(me.put(f"/me/favorites/{movie.id}",
                     {} if rating is None else {"rating": rating}), 201)
    eventually(lambda: fully_applied(library_container, me.user_id))
    return me, chosen


def listed(me, query: str) -> list[dict]:
    return me.ok(me.get("/me/favorites" + query))["items"]


def test_every_favorite_sort(collector):
    me, chosen = collector
    by_id = {m.id: m for m in chosen}
    newest_first = [m.id for m in reversed(chosen)]
    assert [i["movie"]["tmdb_id"] for i in listed(me, "")] == newest_first
    assert [i["movie"]["tmdb_id"] for i in listed(me, "?sort=added_at")] == newest_first[::-1]
    assert [i["rating"] for i in listed(me, "?sort=rating")] == [4, 7, 9, 10, None]
    assert [i["rating"] for i in listed(me, "?sort=-rating")] == [10, 9, 7, 4, None]
    titles = [i["movie"]["title"] for i in listed(me, "?sort=title")]
    assert titles == sorted(titles, key=str.casefold)
    assert [i["movie"]["title"] for i in listed(me, "?sort=-title")] == titles[::-1]
    dates = [i["movie"]["release_date"] for i in listed(me, "?sort=release_date")]
    known = [d for d in dates if d]
    assert known == sorted(known) and dates[:len(known)] == known
    popularity = [i["movie"]["popularity"] for i in listed(me, "?sort=-popularity")]
    assert popularity == sorted(popularity, reverse=True)
    assert {i["movie"]["tmdb_id"] for i in listed(me, "")} == set(by_id)


def test_favorite_filters_and_pages(collector):
    me, chosen = collector
    assert sorted(i["rating"] for i in listed(me, "?min_rating=7")) == [7, 9, 10]
    word = max(chosen[0].title.split(), key=len)
    found = listed(me, f"?q={word.lower()}")
    assert chosen[0].id in [i["movie"]["tmdb_id"] for i in found]
    assert all(word.casefold() in i["movie"]["title"].casefold() for i in found)
    genre = chosen[1].genre_ids[0]
    in_genre = listed(me, f"?genre={genre}")
    assert chosen[1].id in [i["movie"]["tmdb_id"] for i in in_genre]
    assert all(genre in [g["id"] for g in i["movie"]["genres"]] for i in in_genre)
    assert listed(me, "?genre=424242") == []
    page = me.ok(me.get("/me/favorites?page=2&page_size=2&sort=-rating"))
    assert [i["rating"] for i in page["items"]] == [7, 4]
    assert (page["total"], page["total_pages"], page["page_size"]) == (5, 3, 2)
    assert me.ok(me.get("/me/favorites?page_size=1000"))["page_size"] == 100


# --- bad inputs ---------------------------------------------------------------------------

def assert_error(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    body = response.get_json()
    assert body["code"] == status and body["message"] and body["request_id"]
    assert "Traceback" not in response.get_data(as_text=True)
    return body


@pytest.mark.parametrize("body, field", [
    ({"rating": 0}, "rating"), ({"rating": 11}, "rating"), ({"rating": "x"}, "rating"),
    ({"rating": 7.5}, "rating"), ({"rating": "7"}, "rating"), ({"rating": True}, "rating"),
    ({"notes": "n" * 1001}, "notes"), ({"notes": 42}, "notes"), ({"notes": "a\x00b"}, "notes"),
    ({"stars": 5}, "stars"), ([1, 2], "_schema")])
def test_bad_favorite_bodies_are_422(app, body, field):
    me = person(app)
    movie = some_movies(1)[0]
    error = assert_error(me.put(f"/me/favorites/{movie.id}", body), 422)
    assert field in error["errors"], error
    assert me.ok(me.get("/me/favorites"))["total"] == 0


def test_bad_requests_of_the_library(app):
    me = person(app)
    movie = some_movies(1)[0]
    raw = {**me.headers, "Content-Type": "application/json"}
    malformed = me.client.put(f"/api/v1/me/favorites/{movie.id}", data="{rating: 5", headers=raw)
    assert_error(malformed, 400)
    text_body = me.client.put(f"/api/v1/me/favorites/{movie.id}", data="rating=5",
                              headers={**me.headers, "Content-Type": "text/plain"})
    assert_error(text_body, 415)
    assert_error(me.put(f"/me/watchlist/{movie.id}", {"watched": "yes"}), 422)
    assert_error(me.put(f"/me/watchlist/{movie.id}", {"seen": True}), 422)
    for path in ("/me/favorites/2000000000", "/me/watchlist/2000000000",
                 "/me/favorites/99999999999", "/me/favorites/0", "/me/favorites/abc"):
        assert_error(me.put(path, {"rating": 5} if "favorites" in path else {}), 404)
        assert_error(me.delete(path), 404)
    assert_error(me.delete(f"/me/favorites/{movie.id}"), 404)
    assert_error(me.delete(f"/me/watchlist/{movie.id}"), 404)
    for query in ("?sort=budget", "?min_rating=0", "?min_rating=11", "?page=0",
                  "?genre=drama", "?q=" + "x" * 201):
        assert_error(me.get("/me/favorites" + query), 422)
    assert_error(me.get("/me/watchlist?watched=maybe"), 422)
    assert_error(me.get("/me/watchlist?sort=rating"), 422)
    assert_error(me.get("/me/recommendations?page_size=0"), 422)
    anonymous = me.client
    for path in ("/me/favorites", "/me/watchlist", "/me/stats", "/me/recommendations"):
        assert_error(anonymous.get("/api/v1" + path), 401)
    assert_error(anonymous.put(f"/api/v1/me/favorites/{movie.id}", json={}), 401)
    assert_error(anonymous.delete(f"/api/v1/me/watchlist/{movie.id}"), 401)


# --- isolation ----------------------------------------------------------------------------

def test_nobody_reads_or_changes_anyone_elses_library(app, library_container):
    alice, bob = person(app), person(app)
    movie, hers = some_movies(2)
    alice.ok(alice.put(f"/me/favorites/{movie.id}", {"rating": 9, "notes": "private"}), 201)
    alice.ok(alice.put(f"/me/watchlist/{hers.id}"), 201)
    eventually(lambda: fully_applied(library_container, alice.user_id))

    assert bob.ok(bob.get("/me/favorites"))["total"] == 0
    assert bob.ok(bob.get("/me/watchlist"))["total"] == 0
    assert bob.ok(bob.get("/me/stats"))["total_favorites"] == 0
    assert "private" not in bob.get("/me/recommendations").get_data(as_text=True)
    detail = bob.ok(bob.get(f"/movies/{movie.id}"))
    assert detail["me"] == {"favorite": False, "rating": None, "notes": None,
                            "in_watchlist": False, "watched": False}
    assert bob.delete(f"/me/favorites/{movie.id}").status_code == 404
    assert bob.delete(f"/me/watchlist/{hers.id}").status_code == 404
    bob.ok(bob.put(f"/me/favorites/{movie.id}", {"rating": 1}), 201)  # his own favorite
    eventually(lambda: fully_applied(library_container, bob.user_id))
    for query in (f"?user_id={bob.user_id}", f"?user={bob.user_id}"):
        mine = alice.ok(alice.get("/me/favorites" + query))["items"]
        assert [(i["rating"], i["notes"]) for i in mine] == [(9, "private")]
    assert alice.ok(alice.get(f"/movies/{movie.id}"))["me"]["rating"] == 9
    assert bob.ok(bob.get(f"/movies/{movie.id}"))["me"]["rating"] == 1
    assert alice.ok(alice.get("/me/stats"))["average_rating"] == 9.0
    assert_library_matches(library_container, alice.user_id)
    assert_library_matches(library_container, bob.user_id)


# --- two writes at once ------------------------------------------------------------------

def test_concurrent_writes_to_one_favorite_lose_nothing_silently(app, library_container):
    """Writes of one person are ordered by their library's version; one that loses the
    race is run again on the winner's state: every answer is 200/201, each write is an
    event, and the favorite ends as the last committed write left it."""
    me = person(app)
    movie = some_movies(1)[0]
    answers: list[int] = []
    second = person(app)
    second.client = app.test_client()
    second.access, second.user_id = me.access, me.user_id

    def writer(who, field_name, values):
        for value in values:
            response = who.put(f"/me/favorites/{movie.id}", {field_name: value})
            answers.append(response.status_code)

    threads = [threading.Thread(target=writer, args=(me, "rating", [1, 2, 3, 4, 5, 6, 7, 8])),
               threading.Thread(target=writer, args=(second, "notes",
                                                     [f"note {n}" for n in range(8)]))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(set(answers)) in ([200, 201], [200]) and answers.count(201) == 1, answers
    eventually(lambda: fully_applied(library_container, me.user_id))
    item = me.ok(me.get("/me/favorites"))["items"][0]
    assert (item["rating"], item["notes"]) == (8, "note 7"), "both fields' last writes"
    with library_container.engine.connect() as conn:
        kinds = conn.execute(text(
            "SELECT event_type, payload FROM events WHERE aggregate_type = 'library' "
            "AND aggregate_id = :id ORDER BY aggregate_version"), {"id": me.user_id}).all()
    assert kinds[0].event_type == "FavoriteAdded" and len(kinds) == 16
    written = [k.payload if k.event_type == "FavoriteAdded" else k.payload["changes"]
               for k in kinds]
    assert [w["rating"] for w in written if w.get("rating") is not None] == list(range(1, 9))
    assert [w["notes"] for w in written if w.get("notes")] == [f"note {n}" for n in range(8)]
    assert_library_matches(library_container, me.user_id)
