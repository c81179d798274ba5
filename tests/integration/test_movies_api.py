"""Every Movies route over HTTP (Flask test client of the real app), on a container
whose TMDb is the bundled server and whose read models hold 6,000 of its movies:
lists, filters, pagination and its bad inputs, ETag/304, gzip, on-demand imports,
admin routes, the stored documents against the OpenAPI schemas, and reads with Redis
down."""
import gzip
import json
import time
from dataclasses import replace

import pytest

from api import create_app
from api.schemas.movies import MovieCardSchema, MovieDetailSchema
from movienexus.bootstrap import Container
from read_models.stores import movie_documents as docs
from tests.support.api_client import account_headers
from tests.support.catalog import catalog_world
from tests.support.fixtures_tmdb import tmdb_server  # noqa: F401

API = "/api/v1"
LIST_ROUTES = ["/movies", "/movies/popular", "/movies/top-rated", "/movies/now-playing",
               "/movies/upcoming", "/movies/trending", "/movies/trending?window=week",
               "/genres/18/movies", "/movies/search?q=river"]


@pytest.fixture(scope="module")
def world(settings, tmdb_server):  # noqa: F811
    return catalog_world(settings, tmdb_server.base_url)


@pytest.fixture(scope="module")
def app(world):
    return create_app(container=world.container)


@pytest.fixture
def client(app):
    return app.test_client()


def get(client, path, **kwargs):
    response = client.get(API + path, **kwargs)
    assert b"Traceback" not in response.get_data()
    return response


def assert_error(response, status):
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    body = response.get_json()
    assert body["code"] == status and body["message"] and body["request_id"]
    return body


def token(app, role: str) -> dict:
    """A real account whose stored role is `role` (a claim alone proves nothing)."""
    return account_headers(app, role)


@pytest.mark.parametrize("path", LIST_ROUTES)
def test_every_list_route_answers_a_page_of_cards(client, path):
    response = get(client, path + ("&" if "?" in path else "?") + "page_size=5")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"items", "page", "page_size", "total", "total_pages"}
    assert body["page"] == 1 and body["page_size"] == 5 and 0 < len(body["items"]) <= 5
    assert not MovieCardSchema(many=True).validate(body["items"])


def test_curated_lists_keep_tmdbs_order(client, world):
    tmdb_order = world.container.tmdb.curated_list("popular")["results"]
    stored = {m.id for m in world.stored}
    expected = [item["id"] for item in tmdb_order if item["id"] in stored][:10]
    body = get(client, "/movies/popular?page_size=10").get_json()
    assert [card["tmdb_id"] for card in body["items"]] == expected


def test_filters_and_sorts(client):
    body = get(client, "/movies?genre=18&genre=35&year_from=1990&year_to=1999"
                       "&min_rating=6&language=en&sort=-vote_average&page_size=50").get_json()
    assert body["items"]
    ratings = [card["vote_average"] for card in body["items"]]
    assert ratings == sorted(ratings, reverse=True)
    for card in body["items"]:
        assert {18, 35} <= {g["id"] for g in card["genres"]}
        assert 1990 <= card["year"] <= 1999 and card["vote_average"] >= 6
    by_title = get(client, "/movies?sort=title&page_size=30").get_json()["items"]
    titles = [card["title"] for card in by_title]
    assert titles == sorted(titles)


def test_page_size_is_clamped_and_the_body_says_so(client):
    body = get(client, "/movies?page_size=10000&page=2").get_json()
    assert body["page_size"] == 100 and body["page"] == 2 and len(body["items"]) == 100
    assert body["total_pages"] == -(-body["total"] // 100)


@pytest.mark.parametrize("path", [
    "/movies?page=0", "/movies?page_size=0", "/movies?page=abc", "/movies?sort=budget",
    "/movies?genre=drama", "/movies?year=99999", "/movies?min_rating=11",
    "/movies?language=English", "/movies?year_from=2000&year_to=1990",
    "/movies?q=" + "x" * 201, "/movies/search", "/movies/search?q=",
    "/movies/search?q=" + "long " * 50, "/movies/trending?window=month",
    "/movies/popular?page=0"])
def test_bad_inputs_are_422(client, path):
    body = assert_error(get(client, path), 422)
    assert body["errors"]


@pytest.mark.parametrize("path", ["/movies/abc", "/movies/12abc", "/movies/-5",
                                  "/movies/99999999999", "/movies/0", "/genres/999/movies",
                                  "/genres/abc/movies", "/movies/abc/similar"])
def test_unknown_things_are_404_json(client, path):
    assert_error(get(client, path), 404)


def test_detail_etag_and_304(client, world):
    movie = world.stored[0]
    first = get(client, f"/movies/{movie.id}")
    assert first.status_code == 200 and first.get_json()["title"] == movie.title
    etag = first.headers["ETag"]
    again = get(client, f"/movies/{movie.id}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    page = get(client, "/movies/popular")
    assert get(client, "/movies/popular",
               headers={"If-None-Match": page.headers["ETag"]}).status_code == 304


def test_gzip_when_asked_for(client):
    plain = get(client, "/movies?page_size=50")
    zipped = get(client, "/movies?page_size=50", headers={"Accept-Encoding": "gzip"})
    assert plain.headers.get("Content-Encoding") is None
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert json.loads(gzip.decompress(zipped.get_data())) == plain.get_json()
    assert len(zipped.get_data()) < len(plain.get_data()) / 2


def test_an_unknown_but_real_movie_is_imported_on_the_spot(client, world):
    movie = world.not_stored[0]
    response = get(client, f"/movies/{movie.id}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["title"] == movie.title and body["runtime"] == movie.runtime
    assert body["genres"][0]["name"]  # genres were synced before
    cached = world.container.redis.get(docs.detail_key(movie.id))
    assert json.loads(cached) == body


def test_an_id_tmdb_does_not_know_is_404(client):
    assert_error(get(client, "/movies/1999999999"), 404)


def test_search_asks_tmdb_when_few_are_stored(client, world):
    movie = world.not_stored[1]
    body = get(client, f"/movies/search?q={movie.title}").get_json()
    assert body["items"][0]["tmdb_id"] == movie.id


def test_recommendations_and_similar_come_from_the_last_refresh(client, world):
    from domain.catalog import commands
    from tests.support.catalog import last_position, project_new_events
    movie, others = world.stored[5], [m.id for m in world.stored[6:9]]
    before = last_position(world.container)
    world.container.handle(commands.RefreshRelations(movie.id, "similar", others))
    project_new_events(world.container, before)
    body = get(client, f"/movies/{movie.id}/similar").get_json()
    assert [card["tmdb_id"] for card in body["items"]] == others
    assert get(client, f"/movies/{movie.id}/recommendations").get_json()["items"] == []


def test_genres_list_counts_and_names(client, world):
    body = get(client, "/genres").get_json()
    by_id = {genre["id"]: genre for genre in body}
    assert by_id[18]["name"] == "Drama"
    dramas = sum(18 in m.genre_ids for m in world.stored)
    assert dramas <= by_id[18]["movie_count"] <= dramas + 5  # on-demand imports add a few


def test_stored_documents_validate_against_the_openapi_schemas(world):
    redis = world.container.redis
    for movie in world.stored[::600]:
        card = json.loads(redis.get(docs.card_key(movie.id)))
        detail = json.loads(redis.get(docs.detail_key(movie.id)))
        assert MovieCardSchema().validate(card) == {}
        assert MovieDetailSchema().validate(detail) == {}
        assert MovieCardSchema().dump(card) == card
        assert MovieDetailSchema().dump(detail) == detail


def test_reads_keep_working_when_redis_is_down(world):
    down = Container(replace(world.container.settings, redis_url="redis://127.0.0.1:1/0"))
    client = create_app(container=down).test_client()
    movie = world.stored[3]
    detail = get(client, f"/movies/{movie.id}")
    assert detail.status_code == 200 and detail.get_json()["title"] == movie.title
    for path in ["/movies/popular", "/genres", "/movies?genre=18", "/movies/search?q=river"]:
        assert get(client, path).status_code == 200, path
    assert get(client, "/movies/popular").get_json()["items"]


def test_admin_routes_need_an_admin(client, app):
    assert_error(client.post(API + "/admin/sync", json={"kind": "popular"}), 401)
    assert_error(client.post(API + "/admin/sync", json={"kind": "popular"},
                             headers=token(app, "user")), 403)
    assert_error(client.get(API + "/admin/dead-letters", headers=token(app, "user")), 403)


def test_admin_sync_queues_a_task(client, app):
    response = client.post(API + "/admin/sync", json={"kind": "genres"},
                           headers=token(app, "admin"))
    assert response.status_code == 202 and response.get_json()["task_id"]
    bad = client.post(API + "/admin/sync", json={"kind": "everything"},
                      headers=token(app, "admin"))
    assert_error(bad, 422)


def test_admin_dead_letters_list_and_replay(client, app):
    admin = token(app, "admin")
    listed = client.get(API + "/admin/dead-letters", headers=admin)
    assert listed.status_code == 200 and "items" in listed.get_json()
    assert_error(client.post(API + "/admin/dead-letters/987654321/replay", headers=admin), 404)
    rebuild = client.post(API + "/admin/read-models/rebuild", headers=admin)
    assert rebuild.status_code == 202 and rebuild.get_json()["task_id"]


def test_an_unknown_id_while_tmdb_is_down_is_a_503_not_a_500(settings):
    """A port where nothing listens: the interactive client gives up in seconds."""
    from dataclasses import replace as with_changes

    from api import create_app
    from movienexus.bootstrap import Container
    down = Container(with_changes(settings, tmdb_base_url_raw="http://127.0.0.1:1"))
    started = time.monotonic()
    response = create_app(container=down).test_client().get(API + "/movies/987654")
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert "TMDb" in response.get_json()["message"]
    assert time.monotonic() - started < 10


def test_a_cached_search_page_never_outlives_a_catalog_change(client, world):
    """Search pages are cached under the catalog generation, which every applied
    movie change moves: renaming a movie shows in the very next search."""
    from domain.catalog.commands import ImportMovie
    from tests.support.catalog import last_position, project_new_events

    movie = world.stored[0]
    data = world.container.tmdb.movie(movie.id)
    first = get(client, "/movies/search?q=" + data["title"]).get_json()
    assert first["items"][0]["tmdb_id"] == movie.id
    assert get(client, "/movies/search?q=" + data["title"]).get_json() == first  # cached

    new_title = f"Zyzzyva Quorn {movie.id}"
    position = last_position(world.container)
    world.container.handle(ImportMovie(data={**data, "title": new_title}, complete=True))
    project_new_events(world.container, position)
    found = get(client, "/movies/search?q=" + new_title).get_json()
    assert found["items"][0]["tmdb_id"] == movie.id
    again = get(client, "/movies/search?q=" + data["title"]).get_json()
    assert all(item["title"] != data["title"] or item["tmdb_id"] != movie.id
               for item in again["items"])
