"""The bundled TMDb-compatible server over real HTTP, as a subprocess.

Shapes are checked against TMDb's own OpenAPI document when it is beside the
repository (and always against the compact stand-ins too); see
``tests/support/tmdb_schemas.py`` for what is tightened or relaxed and why.
"""
from __future__ import annotations

import math
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests
from jsonschema import Draft202012Validator

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:  # tests.support without a repo-level conftest
    sys.path.insert(0, str(REPO_ROOT))

from tests.support.tmdb_schemas import (  # noqa: E402
    compact_schema, openapi_available, response_schema, without_required)
from tests.support.tmdb_server import TmdbServer, running_tmdb_server  # noqa: E402

GENRE_LIST = [
    (28, "Action"), (12, "Adventure"), (16, "Animation"), (35, "Comedy"), (80, "Crime"),
    (99, "Documentary"), (18, "Drama"), (10751, "Family"), (14, "Fantasy"), (36, "History"),
    (27, "Horror"), (10402, "Music"), (9648, "Mystery"), (10749, "Romance"),
    (878, "Science Fiction"), (10770, "TV Movie"), (53, "Thriller"), (10752, "War"),
    (37, "Western"),
]
EXTRAS = ("credits", "videos", "images", "external_ids", "keywords")
UNKNOWN_ID = 999_999_999


@pytest.fixture(scope="module")
def server() -> Iterator[TmdbServer]:
    with running_tmdb_server() as running:  # the defaults: seed 42, 10,000 movies
        yield running


@pytest.fixture(autouse=True)
def clean_faults_and_stats(server: TmdbServer) -> Iterator[None]:
    server.reset()
    yield
    server.reset()


def assert_tmdb_shape(body: Any, documented_path: str, status: str = "200",
                      optional: tuple[str, ...] = ()) -> None:
    """Valid against TMDb's schema for that path (or the stand-in), and the stand-in."""
    schema, _ = response_schema(documented_path, status)
    Draft202012Validator(without_required(schema, *optional)).validate(body)
    stand_in = compact_schema(documented_path, status)
    Draft202012Validator(without_required(stand_in, *optional)).validate(body)


def assert_error(response: requests.Response, http_status: int, code: int) -> dict[str, Any]:
    assert response.status_code == http_status, response.text
    body = response.json()
    assert body["success"] is False
    assert body["status_code"] == code
    assert isinstance(body["status_message"], str) and body["status_message"]
    return body


def ok(response: requests.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    return response.json()


def popular_ids(server: TmdbServer, page: int = 1) -> list[int]:
    return [m["id"] for m in ok(server.get("3/movie/popular", page=page))["results"]]


def test_the_openapi_document_is_used_when_present() -> None:
    _, source = response_schema("/3/movie/popular")
    assert source == ("openapi" if openapi_available() else "compact")


# --- shapes ---

LISTS = [
    ("3/movie/popular", {}, "/3/movie/popular"),
    ("3/movie/top_rated", {}, "/3/movie/top_rated"),
    ("3/movie/now_playing", {"region": "US", "language": "en-US"}, "/3/movie/now_playing"),
    ("3/movie/upcoming", {}, "/3/movie/upcoming"),
    ("3/trending/movie/day", {}, "/3/trending/movie/{time_window}"),
    ("3/trending/movie/week", {}, "/3/trending/movie/{time_window}"),
    ("3/search/movie", {"query": "the"}, "/3/search/movie"),
    ("3/discover/movie", {"with_genres": "18|35", "sort_by": "vote_count.desc"},
     "/3/discover/movie"),
]


@pytest.mark.parametrize(("path", "params", "documented"), LISTS, ids=[p for p, _, _ in LISTS])
def test_lists_answer_with_tmdb_shapes(server: TmdbServer, path: str, params: dict[str, str],
                                       documented: str) -> None:
    body = ok(server.get(path, **params))
    assert_tmdb_shape(body, documented)
    assert body["page"] == 1
    assert body["total_results"] > 0
    assert len(body["results"]) == min(20, body["total_results"])
    assert body["total_pages"] == math.ceil(body["total_results"] / 20)


def test_now_playing_and_upcoming_report_the_dates_they_cover(server: TmdbServer) -> None:
    for path in ("3/movie/now_playing", "3/movie/upcoming"):
        body = ok(server.get(path))
        dates = body["dates"]
        assert dates["minimum"] < dates["maximum"]
        assert all(dates["minimum"] <= m["release_date"] <= dates["maximum"]
                   for m in body["results"])
    assert ok(server.get("3/movie/now_playing"))["dates"]["maximum"] < ok(
        server.get("3/movie/upcoming"))["dates"]["minimum"]


def test_trending_items_say_they_are_movies(server: TmdbServer) -> None:
    results = ok(server.get("3/trending/movie/week"))["results"]
    assert {m["media_type"] for m in results} == {"movie"}
    assert_error(server.get("3/trending/movie/month"), 404, 34)


def test_detail_has_every_field_and_the_appended_parts(server: TmdbServer) -> None:
    movie_id = popular_ids(server)[0]
    appended = "credits,videos,images,recommendations,similar,external_ids,keywords"
    body = ok(server.get(f"3/movie/{movie_id}", append_to_response=appended))
    assert_tmdb_shape(body, "/3/movie/{movie_id}")
    assert body["id"] == movie_id
    assert all(set(g) == {"id", "name"} for g in body["genres"]) and body["genres"]
    for name in EXTRAS:
        assert_tmdb_shape(body[name], f"/3/movie/{{movie_id}}/{name}", optional=("id",))
    for name in ("recommendations", "similar"):
        assert_tmdb_shape(body[name], f"/3/movie/{{movie_id}}/{name}")
        assert len(body[name]["results"]) == 20
    assert body["credits"]["cast"] and body["credits"]["crew"]
    plain = ok(server.get(f"3/movie/{movie_id}"))
    assert not set(plain) & {*EXTRAS, "recommendations", "similar"}


def test_extras_answer_on_their_own_paths(server: TmdbServer) -> None:
    movie_id = popular_ids(server)[1]
    for name in EXTRAS:
        body = ok(server.get(f"3/movie/{movie_id}/{name}"))
        assert_tmdb_shape(body, f"/3/movie/{{movie_id}}/{name}")
        assert body["id"] == movie_id


def test_recommendations_and_similar_are_paged_lists_of_related_movies(
        server: TmdbServer) -> None:
    movie_id = popular_ids(server)[2]
    genres = {g["id"] for g in ok(server.get(f"3/movie/{movie_id}"))["genres"]}
    for kind in ("recommendations", "similar"):
        body = ok(server.get(f"3/movie/{movie_id}/{kind}"))
        assert_tmdb_shape(body, f"/3/movie/{{movie_id}}/{kind}")
        assert body["total_results"] == 20
        assert movie_id not in {m["id"] for m in body["results"]}
        assert all(genres & set(m["genre_ids"]) for m in body["results"])


def test_genre_list_is_tmdbs(server: TmdbServer) -> None:
    body = ok(server.get("3/genre/movie/list"))
    assert_tmdb_shape(body, "/3/genre/movie/list")
    assert [(g["id"], g["name"]) for g in body["genres"]] == GENRE_LIST


def test_configuration_points_at_tmdbs_image_server(server: TmdbServer) -> None:
    body = ok(server.get("3/configuration"))
    assert_tmdb_shape(body, "/3/configuration")
    assert body["images"]["secure_base_url"] == "https://image.tmdb.org/t/p/"
    assert body["images"]["poster_sizes"] == [
        "w92", "w154", "w185", "w342", "w500", "w780", "original"]


def test_search_finds_titles_by_substring_regardless_of_case(server: TmdbServer) -> None:
    title = ok(server.get("3/movie/popular", page=2))["results"][0]["title"]
    body = ok(server.get("3/search/movie", query=title.upper()))
    assert body["results"][0]["title"] == title
    word = title.split()[-1].lower()
    assert all(word in (m["title"] + " " + m["original_title"]).lower()
               for m in ok(server.get("3/search/movie", query=word))["results"])


def test_discover_applies_its_filters(server: TmdbServer) -> None:
    body = ok(server.get("3/discover/movie", with_genres="28,12", **{
        "vote_count.gte": "100", "primary_release_date.gte": "2000-01-01",
        "sort_by": "vote_average.desc"}))
    results = body["results"]
    assert results
    assert all({28, 12} <= set(m["genre_ids"]) for m in results)
    assert all(m["vote_count"] >= 100 and m["release_date"] >= "2000-01-01" for m in results)
    averages = [m["vote_average"] for m in results]
    assert averages == sorted(averages, reverse=True)
    french = ok(server.get("3/discover/movie", with_original_language="fr"))["results"]
    assert french and {m["original_language"] for m in french} == {"fr"}


# --- errors ---

def test_missing_or_wrong_keys_get_401_code_7(server: TmdbServer) -> None:
    body = assert_error(server.get("3/movie/popular", api_key=None), 401, 7)
    assert body["status_message"] == "Invalid API key: You must be granted a valid key."
    assert_tmdb_shape(body, "/3/movie/popular", status="401")
    assert_error(server.get("3/movie/popular", api_key="not-a-key"), 401, 7)
    url = server.url("3/movie/popular")
    assert requests.get(url, headers={"Authorization": f"Bearer {server.api_key}"},
                        timeout=10).status_code == 200
    assert_error(requests.get(url, headers={"Authorization": "Bearer wrong"}, timeout=10),
                 401, 7)


def test_unknown_and_malformed_ids_get_404(server: TmdbServer) -> None:
    body = assert_error(server.get(f"3/movie/{UNKNOWN_ID}"), 404, 34)
    assert_tmdb_shape(body, "/3/movie/{movie_id}", status="404")
    assert_error(server.get(f"3/movie/{UNKNOWN_ID}/similar"), 404, 34)
    body = assert_error(server.get("3/movie/not-a-number"), 404, 6)
    assert body["status_message"] == "Invalid id: The pre-requisite id is invalid or not found."


@pytest.mark.parametrize("page", ["0", "501", "two"])
def test_pages_outside_1_to_500_get_400_code_22(server: TmdbServer, page: str) -> None:
    assert_error(server.get("3/movie/popular", page=page), 400, 22)


def test_more_than_20_appends_get_400_code_27(server: TmdbServer) -> None:
    movie_id = popular_ids(server)[0]
    appends = ",".join(["credits"] * 21)
    assert_error(server.get(f"3/movie/{movie_id}", append_to_response=appends), 400, 27)


def test_changes_over_14_days_get_400_code_20(server: TmdbServer) -> None:
    assert_error(server.get("3/movie/changes", start_date="2026-01-01", end_date="2026-01-16"),
                 400, 20)
    ok(server.get("3/movie/changes", start_date="2026-01-01", end_date="2026-01-15"))


def test_search_without_a_query_is_refused(server: TmdbServer) -> None:
    assert_error(server.get("3/search/movie"), 422, 5)


# --- paging ---

def test_popular_pages_hold_20_sorted_movies_up_to_page_500(server: TmdbServer) -> None:
    first = ok(server.get("3/movie/popular"))
    assert (first["total_results"], first["total_pages"]) == (10_000, 500)
    second = ok(server.get("3/movie/popular", page=2))
    assert not {m["id"] for m in first["results"]} & {m["id"] for m in second["results"]}
    popularity = [m["popularity"] for m in first["results"] + second["results"]]
    assert popularity == sorted(popularity, reverse=True)
    assert len(ok(server.get("3/movie/popular", page=500))["results"]) == 20


def test_a_page_past_the_last_is_empty(server: TmdbServer) -> None:
    body = ok(server.get("3/movie/upcoming"))
    beyond = ok(server.get("3/movie/upcoming", page=body["total_pages"] + 1))
    assert beyond["results"] == []
    assert (beyond["total_pages"], beyond["total_results"]) == (
        body["total_pages"], body["total_results"])


# --- faults ---

def test_injected_429s_carry_retry_after(server: TmdbServer) -> None:
    server.set_faults(rate_429=1.0, retry_after=7)
    response = server.get("3/movie/popular")
    body = assert_error(response, 429, 25)
    assert body["status_message"] == "Your request count (#) is over the allowed limit of (40)."
    assert response.headers["Retry-After"] == "7"
    server.reset()
    ok(server.get("3/movie/popular"))


def test_a_share_of_429s_is_roughly_that_share(server: TmdbServer) -> None:
    server.set_faults(rate_429=0.5)
    statuses = [server.get("3/genre/movie/list").status_code for _ in range(60)]
    assert set(statuses) == {200, 429}
    assert 15 <= statuses.count(429) <= 45


def test_injected_server_errors_have_tmdb_bodies(server: TmdbServer) -> None:
    server.set_faults(rate_5xx=1.0)
    for _ in range(8):
        response = server.get("3/movie/popular")
        assert response.status_code in (500, 502, 503)
        assert response.json()["success"] is False
        assert isinstance(response.json()["status_code"], int)


def test_added_latency_slows_every_answer(server: TmdbServer) -> None:
    """A lower bound only: a busy machine can make an answer slower, never faster."""
    server.set_faults(latency_ms=400)
    started = time.perf_counter()
    ok(server.get("3/configuration"))
    assert time.perf_counter() - started >= 0.4


def test_injected_timeouts_outlast_the_client(server: TmdbServer) -> None:
    server.set_faults(timeout_rate=1.0, timeout_seconds=3)
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.get(server.url("3/movie/popular"), params={"api_key": server.api_key},
                     timeout=0.5)


def test_the_server_side_rate_limit_answers_429_past_it(server: TmdbServer) -> None:
    server.set_faults(rate_limit_per_second=5)
    started = time.perf_counter()
    responses = [server.get("3/genre/movie/list") for _ in range(20)]
    elapsed = time.perf_counter() - started
    statuses = [r.status_code for r in responses]
    limited = [r for r in responses if r.status_code == 429]
    assert limited, statuses
    assert statuses.count(200) <= 5 * (math.ceil(elapsed) + 1)
    assert all(r.headers["Retry-After"].isdigit() and r.json()["status_code"] == 25
               for r in limited)
    assert server.stats()["by_status"]["429"] == len(limited)


def test_fault_settings_are_validated_and_reported(server: TmdbServer) -> None:
    assert server.set_faults(latency_ms=5)["latency_ms"] == 5
    response = requests.post(server.url("__control/faults"), json={"rate_429": 2}, timeout=5)
    assert response.status_code == 400
    response = requests.post(server.url("__control/faults"), json={"bogus": 1}, timeout=5)
    assert response.status_code == 400
    assert server.reset()["faults"]["latency_ms"] == 0


# --- stats ---

def test_stats_count_tmdb_requests_by_status_and_path(server: TmdbServer) -> None:
    started = time.time()
    for _ in range(3):
        ok(server.get("3/movie/popular"))
    server.get("3/movie/popular", api_key=None)
    finished = time.time()
    stats = server.stats()
    assert stats["requests"] == 4  # the control calls are not counted
    assert stats["by_status"] == {"200": 3, "401": 1}
    assert stats["by_path"] == {"/3/movie/popular": 4}
    assert len(stats["timestamps"]) == 4
    assert all(started - 1 <= t <= finished + 1 for t in stats["timestamps"])


# --- edits, deletions, drift, changes ---

def changed_ids(server: TmdbServer) -> set[int]:
    body = ok(server.get("3/movie/changes"))
    assert_tmdb_shape(body, "/3/movie/changes")
    return {entry["id"] for entry in body["results"]}


def test_a_mutation_shows_in_detail_search_and_changes(server: TmdbServer) -> None:
    movie_id = popular_ids(server, page=7)[3]
    server.mutate(movie_id, title="Zyzzyva Unique Mutation", vote_average=7.1)
    detail = ok(server.get(f"3/movie/{movie_id}"))
    assert (detail["title"], detail["vote_average"]) == ("Zyzzyva Unique Mutation", 7.1)
    assert ok(server.get("3/search/movie", query="zyzzyva"))["results"][0]["id"] == movie_id
    assert movie_id in changed_ids(server)


def test_a_deleted_movie_answers_404_and_shows_in_changes(server: TmdbServer) -> None:
    movie_id = popular_ids(server, page=8)[4]
    server.delete(movie_id)
    assert_error(server.get(f"3/movie/{movie_id}"), 404, 34)
    assert movie_id not in popular_ids(server, page=8)
    assert movie_id in changed_ids(server)


def test_drift_ticks_feed_the_changes(server: TmdbServer) -> None:
    changed = server.tick(2)["changed"]
    assert len(changed) >= 2
    assert set(changed) <= changed_ids(server)


def test_control_refuses_unknown_movies_and_fields(server: TmdbServer) -> None:
    url = server.url(f"__control/movies/{UNKNOWN_ID}")
    assert requests.post(url, json={"title": "x"}, timeout=5).status_code == 404
    movie_id = popular_ids(server, page=9)[0]
    response = requests.post(server.url(f"__control/movies/{movie_id}"), json={"id": 1},
                             timeout=5)
    assert response.status_code == 400


# --- the command line ---

def test_a_csv_catalog_with_own_keys_serves_and_stops_cleanly(tmp_path: Path) -> None:
    header = ("budget,genres,homepage,id,keywords,original_language,original_title,overview,"
              "popularity,production_companies,production_countries,release_date,revenue,"
              "runtime,spoken_languages,status,tagline,title,vote_average,vote_count")
    row = ('1,"[{""id"": 18, ""name"": ""Drama""}]",,42,[],en,Solo,One film.,1.5,[],[],'
           '2001-02-03,2,90,[],Released,,Solo,6.5,10')
    catalog = tmp_path / "one.csv"
    catalog.write_text(f"{header}\n{row}\n", encoding="utf-8")
    with running_tmdb_server(catalog=catalog, api_key="own-key") as csv_server:
        detail = ok(csv_server.get("3/movie/42"))
        assert_tmdb_shape(detail, "/3/movie/{movie_id}")
        assert detail["title"] == "Solo"
        assert_error(csv_server.get("3/movie/42", api_key="movienexus-dev-key"), 401, 7)
        process = csv_server.process
    assert process.returncode == 0  # SIGTERM shuts it down cleanly
