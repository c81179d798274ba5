"""What the library's read models show, with the relay and a worker projecting: a movie
change reaches every list that holds it (without rewriting those lists), favorite counts
and average ratings on cards and details, the detail's `me` block, reads when Redis is
down or has lost a library, recommendations, and details completed on first open."""
from __future__ import annotations

import json
from dataclasses import replace

import pytest

from api import create_app
from api.schemas.library import (FavoritePageSchema, RecommendationPageSchema,
                                 WatchlistPageSchema)
from api.schemas.movies import MovieCardSchema, MovieDetailSchema
from catalog_sync.related import refresh_relation
from domain.catalog.commands import ImportMovie
from read_models.queries.catalog_queries import relation_ids
from movienexus.bootstrap import Container
from read_models.stores.library_documents import library_key
from tests.support.fixtures_tmdb import tmdb_server  # noqa: F401
from tests.support.library import (assert_library_matches, assert_movie_counts_match,
                                   expected_stats, fully_applied, person, some_movies)
from tests.support.util import eventually

pytestmark = pytest.mark.usefixtures("pipeline")
CLOSED_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture(scope="module")
def library_container(settings, tmdb_server):  # noqa: F811
    return Container(replace(settings, tmdb_base_url_raw=tmdb_server.base_url))


@pytest.fixture(scope="module")
def app(library_container):
    return create_app(container=library_container)


@pytest.fixture(scope="module")
def without_redis(library_container):
    down = Container(replace(library_container.settings, redis_url=CLOSED_REDIS))
    return create_app(container=down)


def ids(body: dict) -> list[int]:
    return [item["movie"]["tmdb_id"] for item in body["items"]]


def applied(container, *people) -> None:
    eventually(lambda: all(fully_applied(container, p.user_id) for p in people))


# --- a movie change reaches every list ------------------------------------------------------

def test_a_movie_update_changes_its_card_in_every_list_that_holds_it(app, library_container):
    movie = some_movies(1)[0]
    fans = [person(app) for _ in range(3)]
    for fan in fans[:2]:
        fan.ok(fan.put(f"/me/favorites/{movie.id}"), 201)
    fans[2].ok(fans[2].put(f"/me/watchlist/{movie.id}"), 201)
    applied(library_container, *fans)
    versions = [library_container.redis.get(library_key(f.user_id, "v")) for f in fans]

    data = library_container.tmdb.movie(movie.id)
    new_title = f"Renamed {movie.id} Forever"
    library_container.handle(ImportMovie(data={**data, "title": new_title}, complete=True))

    def everywhere() -> bool:
        lists = [fans[0].get("/me/favorites"), fans[1].get("/me/favorites"),
                 fans[2].get("/me/watchlist")]
        return all(r.get_json()["items"][0]["movie"]["title"] == new_title for r in lists)
    eventually(everywhere)
    assert [library_container.redis.get(library_key(f.user_id, "v")) for f in fans] == versions, \
        "no holder's library was rewritten"


# --- counters on cards and details --------------------------------------------------------

def test_favorite_counts_and_average_ratings_reach_cards_and_details(app, library_container):
    movie = some_movies(1)[0]
    fans = [person(app) for _ in range(4)]
    for fan, rating in zip(fans, [6, 7, 9, None]):
        fan.ok(fan.put(f"/me/favorites/{movie.id}", {} if rating is None else
                       {"rating": rating}), 201)
    anonymous = app.test_client()

    def detail() -> dict:
        return anonymous.get(f"/api/v1/movies/{movie.id}").get_json()
    shown = eventually(lambda: (lambda d: d if d["favorite_count"] == 4 else None)(detail()))
    assert shown["average_user_rating"] == 7.33 and "me" not in shown
    listed = fans[0].ok(fans[0].get("/me/favorites"))["items"][0]["movie"]
    assert listed["favorite_count"] == 4
    ranked = anonymous.get("/api/v1/movies?sort=-favorite_count&page_size=100").get_json()
    counts = [card["favorite_count"] for card in ranked["items"]]
    assert counts == sorted(counts, reverse=True) and movie.id in [
        card["tmdb_id"] for card in ranked["items"]]

    fans[3].ok(fans[3].put(f"/me/favorites/{movie.id}", {"rating": 10}))
    assert fans[0].delete(f"/me/favorites/{movie.id}").status_code == 204
    eventually(lambda: (detail()["favorite_count"], detail()["average_user_rating"])
               == (3, 8.67))
    eventually(lambda: assert_movie_counts_match(library_container, [movie.id]) or True)
    assert not MovieDetailSchema().validate(detail())
    stored = json.loads(library_container.redis.get(f"movie:card:{movie.id}"))
    assert not MovieCardSchema().validate(stored) and stored["favorite_count"] == 3


def test_the_detail_me_block_says_what_the_caller_holds(app, library_container):
    me = person(app)
    movie, other = some_movies(2)
    me.ok(me.put(f"/me/favorites/{movie.id}", {"rating": 8, "notes": "again"}), 201)
    me.ok(me.put(f"/me/watchlist/{movie.id}", {"watched": True}), 201)
    applied(library_container, me)
    response = me.get(f"/movies/{movie.id}")
    assert response.status_code == 200 and "Authorization" in response.headers["Vary"]
    assert response.get_json()["me"] == {"favorite": True, "rating": 8, "notes": "again",
                                         "in_watchlist": True, "watched": True}
    assert me.ok(me.get(f"/movies/{other.id}"))["me"] == {
        "favorite": False, "rating": None, "notes": None, "in_watchlist": False,
        "watched": False}
    bad = me.client.get(f"/api/v1/movies/{movie.id}", headers={"Authorization": "Bearer x.y.z"})
    assert bad.status_code in (401, 422)


# --- Redis down, Redis lost ------------------------------------------------------------------

QUERIES = ["", "?sort=rating", "?sort=-rating", "?sort=title", "?min_rating=5",
           "?page=2&page_size=2", "?sort=-popularity"]


def test_every_library_read_works_from_postgres_when_redis_is_down(app, library_container,
                                                                    without_redis):
    me = person(app)
    chosen = some_movies(4)
    for movie, rating in zip(chosen, [3, 8, None, 6]):
        me.ok(me.put(f"/me/favorites/{movie.id}", {} if rating is None else
                     {"rating": rating}), 201)
    me.ok(me.put(f"/me/watchlist/{chosen[0].id}", {"watched": True}), 201)
    me.ok(me.put(f"/me/watchlist/{chosen[1].id}"), 201)
    applied(library_container, me)
    eventually(lambda: me.ok(me.get(f"/movies/{chosen[1].id}"))["favorite_count"] >= 1)
    cold = without_redis.test_client()
    for query in QUERIES:
        up = me.ok(me.get("/me/favorites" + query))
        down = cold.get("/api/v1/me/favorites" + query, headers=me.headers)
        assert down.status_code == 200 and down.get_json() == up, query
        assert not FavoritePageSchema().validate(up)
    for query in ("", "?watched=true", "?sort=watched_at"):
        up = me.ok(me.get("/me/watchlist" + query))
        assert cold.get("/api/v1/me/watchlist" + query, headers=me.headers).get_json() == up
        assert not WatchlistPageSchema().validate(up)
    stats = cold.get("/api/v1/me/stats", headers=me.headers).get_json()
    assert stats == me.ok(me.get("/me/stats")) == expected_stats(library_container, me.user_id)
    assert cold.get(f"/api/v1/movies/{chosen[0].id}", headers=me.headers).get_json()["me"] == {
        "favorite": True, "rating": 3, "notes": None, "in_watchlist": True, "watched": True}
    recommendations = cold.get("/api/v1/me/recommendations", headers=me.headers)
    assert recommendations.status_code == 200


def test_a_library_redis_lost_is_read_from_postgres_and_copied_back(app, library_container):
    me = person(app)
    chosen = some_movies(3)
    for movie in chosen[:2]:
        me.ok(me.put(f"/me/favorites/{movie.id}", {"rating": 7}), 201)
    applied(library_container, me)
    before = me.ok(me.get("/me/favorites"))
    redis = library_container.redis
    lost = redis.keys(library_key(me.user_id, "*").replace("{", "[{]").replace("}", "[}]"))
    assert lost
    redis.delete(*lost)
    assert me.ok(me.get("/me/favorites")) == before
    assert redis.exists(library_key(me.user_id, "v")), "copied back on the read"
    assert_library_matches(library_container, me.user_id)
    redis.delete(*lost)  # lost again, then the next event finds a gap and rewrites it
    me.ok(me.put(f"/me/favorites/{chosen[2].id}", {"rating": 2}), 201)
    applied(library_container, me)
    eventually(lambda: redis.hlen(library_key(me.user_id, "fav")) == 3)
    assert_library_matches(library_container, me.user_id)
    assert me.ok(me.get("/me/stats")) == expected_stats(library_container, me.user_id)


# --- recommendations ---------------------------------------------------------------------------

def recommended(me) -> dict:
    body = me.ok(me.get("/me/recommendations?page_size=100"))
    assert not RecommendationPageSchema().validate(body)
    return body


def test_recommendations_are_personal_explained_and_never_what_you_hold(app,
                                                                        library_container):
    me, neighbour = person(app), person(app)
    liked = some_movies(4)
    neighbour.ok(neighbour.put(f"/me/favorites/{liked[0].id}", {"rating": 9}), 201)
    neighbour.ok(neighbour.put(f"/me/favorites/{liked[3].id}", {"rating": 10}), 201)
    for movie, rating in zip(liked[:3], [9, 8, 3]):
        me.ok(me.put(f"/me/favorites/{movie.id}", {"rating": rating}), 201)
    for movie in liked[:3]:   # TMDb's related movies, as the related sync stores them
        for kind in ("recommendations", "similar"):
            refresh_relation(library_container, movie.id, kind)
    eventually(lambda: all(relation_ids(library_container.documents, library_container.engine,
                                        "recommendations", m.id) for m in liked[:3]))
    me.ok(me.put(f"/me/favorites/{liked[1].id}", {"rating": 7}))  # asks for a recomputation
    applied(library_container, me, neighbour)
    body = eventually(lambda: (lambda b: b if any(
        "Because you rated" in r for i in b["items"] for r in i["reasons"]) else None)(
        recommended(me)), timeout=30)
    held = {m.id for m in liked[:3]}
    assert not held & set(ids(body))
    reasons = [reason for item in body["items"] for reason in item["reasons"]]
    assert all(item["reasons"] for item in body["items"])
    assert f"Because you rated {liked[0].title} 9/10" in reasons
    co = [item for item in body["items"] if item["movie"]["tmdb_id"] == liked[3].id]
    assert co and any("also favorited" in r for r in co[0]["reasons"]), "co-favorites"
    scores = [item["score"] for item in body["items"]]
    assert scores == sorted(scores, reverse=True)

    first, second = ids(body)[:2]
    me.ok(me.put(f"/me/watchlist/{first}"), 201)
    me.ok(me.put(f"/me/favorites/{second}", {"rating": 1}), 201)
    applied(library_container, me)
    now = ids(recommended(me))
    assert first not in now and second not in now, "held movies drop out at once"

    before = now
    me.ok(me.put(f"/me/favorites/{liked[2].id}", {"rating": 10}))
    me.ok(me.put(f"/me/favorites/{liked[0].id}", {"rating": 2}))
    eventually(lambda: ids(recommended(me)) != before, timeout=30)


def test_someone_with_an_empty_library_gets_an_empty_list(app):
    me = person(app)
    body = me.ok(me.get("/me/recommendations"))
    assert body["items"] == [] and body["total"] == 0
    stats = me.ok(me.get("/me/stats"))
    assert stats["total_favorites"] == 0 and stats["average_rating"] is None
    assert stats["rating_histogram"] == {str(r): 0 for r in range(1, 11)}


# --- complete details ------------------------------------------------------------------------

def test_a_movie_known_from_a_list_shows_its_full_detail_when_opened(app, library_container,
                                                                     tmdb_server):  # noqa: F811
    listed, favorited = some_movies(2)
    for movie in (listed, favorited):
        item = library_container.tmdb.movie(movie.id)
        item = {k: v for k, v in item.items() if k not in (
            "runtime", "budget", "revenue", "tagline", "imdb_id", "homepage", "status")}
        item["genre_ids"] = [g["id"] for g in item.pop("genres")]
        library_container.handle(ImportMovie(data=item, complete=False))
    anonymous = app.test_client()
    eventually(lambda: anonymous.get(f"/api/v1/movies/{listed.id}").status_code == 200)
    detail = anonymous.get(f"/api/v1/movies/{listed.id}").get_json()
    assert (detail["runtime"], detail["budget"], detail["tagline"], detail["status"]) == (
        listed.runtime, listed.budget, listed.tagline, listed.status)
    assert detail["imdb_id"] == listed.imdb_id

    me = person(app)
    me.ok(me.put(f"/me/favorites/{favorited.id}"), 201)
    shown = anonymous.get(f"/api/v1/movies/{favorited.id}").get_json()
    assert (shown["runtime"], shown["tagline"]) == (favorited.runtime, favorited.tagline)
