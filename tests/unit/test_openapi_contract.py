"""What generated clients rely on in the OpenAPI document (issue 15): stable operation
names, declared security, no host-dependent enum, date-times, no unused component, and
the TypeScript client's committed copy of the document kept current (`make client`).
The document is built in process: nothing is connected to build it."""
from __future__ import annotations

import json
import re

import pytest

from movienexus.devtools.openapi_document import canonical, served_document
from tests.support.frontend import CLIENT

API = "/api/v1"
# A generated client's method names: a change here breaks every frontend built on them.
OPERATION_IDS = {
    "POST /auth/register": "registerUser", "POST /auth/verify-email": "verifyEmail",
    "POST /auth/resend-verification": "resendVerificationEmail", "POST /auth/login": "login",
    "POST /auth/refresh": "refreshTokens", "POST /auth/logout": "logout",
    "POST /auth/password/change": "changePassword",
    "POST /auth/password/reset": "requestPasswordReset",
    "POST /auth/password/reset/confirm": "confirmPasswordReset",
    "GET /auth/sessions": "listSessions", "DELETE /auth/sessions/{session_id}": "revokeSession",
    "GET /me": "getMe", "PATCH /me": "updateMe",
    "GET /me/favorites": "listFavorites", "PUT /me/favorites/{tmdb_id}": "putFavorite",
    "DELETE /me/favorites/{tmdb_id}": "deleteFavorite",
    "GET /me/watchlist": "listWatchlist", "PUT /me/watchlist/{tmdb_id}": "putWatchlistItem",
    "DELETE /me/watchlist/{tmdb_id}": "deleteWatchlistItem",
    "GET /me/stats": "getStats", "GET /me/recommendations": "listRecommendations",
    "POST /me/imports": "createImport", "GET /me/imports/{import_id}": "getImport",
    "GET /me/export": "exportLibrary", "GET /me/last-activities": "getLastActivities",
    "GET /me/events": "streamEvents",
    "GET /movies": "listMovies", "GET /movies/search": "searchMovies",
    "GET /movies/popular": "listPopularMovies", "GET /movies/top-rated": "listTopRatedMovies",
    "GET /movies/now-playing": "listNowPlayingMovies",
    "GET /movies/upcoming": "listUpcomingMovies", "GET /movies/trending": "listTrendingMovies",
    "GET /movies/{tmdb_id}": "getMovie",
    "GET /movies/{tmdb_id}/recommendations": "listMovieRecommendations",
    "GET /movies/{tmdb_id}/similar": "listSimilarMovies",
    "GET /genres": "listGenres", "GET /genres/{genre_id}/movies": "listGenreMovies",
    "POST /admin/sync": "requestSync", "GET /admin/dead-letters": "listDeadLetters",
    "POST /admin/dead-letters/{dead_letter_id}/replay": "replayDeadLetter",
    "POST /admin/read-models/rebuild": "rebuildReadModels",
}
BEARER = [{"bearerAuth": []}]


@pytest.fixture(scope="module")
def document() -> dict:
    return served_document()


def operations(document: dict) -> dict[str, dict]:
    return {f"{method.upper()} {path.removeprefix(API)}": operation
            for path, item in document["paths"].items()
            for method, operation in item.items() if method != "parameters"}


def test_every_operation_keeps_its_stable_operation_id(document):
    assert {key: op.get("operationId") for key, op in operations(document).items()} \
        == OPERATION_IDS


def test_every_operation_declares_its_security(document):
    for key, operation in operations(document).items():
        private = key.startswith(("GET /me", "PATCH /me", "PUT /me", "DELETE /me", "POST /me",
                                  "POST /admin",
                                  "GET /admin", "GET /auth/sessions", "DELETE /auth/sessions",
                                  "POST /auth/logout", "POST /auth/password/change"))
        expected = BEARER if private else [{}, *BEARER] if key == "GET /movies/{tmdb_id}" else []
        assert operation["security"] == expected, key
    assert set(document["components"]["securitySchemes"]) == {"bearerAuth"}


def test_the_refresh_token_travels_in_the_body(document):
    refresh = operations(document)["POST /auth/refresh"]
    body = refresh["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/Refresh"}
    assert document["components"]["schemas"]["Refresh"]["required"] == ["refresh_token"]
    assert "401" in refresh["responses"]
    assert {"Deprecation", "Sunset"} <= set(refresh["responses"]["200"]["headers"])


def test_servers_licence_and_no_unused_component(document):
    assert document["servers"] and document["info"]["license"]["name"]
    text = json.dumps(document)
    for kind, names in document["components"].items():
        if kind == "securitySchemes":
            continue
        for name in names:
            assert f'"#/components/{kind}/{name}"' in text, f"unused {kind} {name}"


def _schemas(document: dict):
    for name, schema in document["components"]["schemas"].items():
        for field, spec in schema.get("properties", {}).items():
            yield name, field, spec


def test_no_host_dependent_enum_and_timestamps_are_date_times(document):
    for name, field, spec in _schemas(document):
        assert len(spec.get("enum", [])) <= 20, (name, field)
        if re.search(r"(_at|^created_at)$", field):
            assert spec.get("format") == "date-time", (name, field)
    profile = document["components"]["schemas"]["ProfileUpdate"]["properties"]["timezone"]
    assert "enum" not in profile and "IANA" in profile["description"]


def test_output_schemas_require_what_is_always_sent(document):
    schemas = document["components"]["schemas"]
    for name in ("User", "Me", "Profile", "Session", "LoginResult", "TokenPair"):
        assert set(schemas[name]["required"]) == set(schemas[name]["properties"]), name
    for name in ("SessionPage", "DeadLetterPage", "MoviePage", "FavoritePage"):
        assert "items" in schemas[name]["required"], name
    assert schemas["User"]["properties"]["role"]["enum"] == ["user", "admin"]
    assert schemas["TokenPair"]["properties"]["token_type"]["enum"] == ["Bearer"]
    assert "user" not in schemas["TokenPair"]["properties"]
    assert "required" not in schemas["ProfileUpdate"]


def test_the_event_stream_is_documented_though_the_events_process_serves_it(document):
    stream = operations(document)["GET /me/events"]
    assert stream["security"] == BEARER
    assert [(p["in"], p["name"]) for p in stream["parameters"]] == [("header", "Last-Event-ID")]
    assert stream["responses"]["200"]["content"] == {"text/event-stream": {
        "schema": {"$ref": "#/components/schemas/StreamMessage"}}}
    schemas = document["components"]["schemas"]
    event = schemas["StreamEvent"]
    assert set(event["required"]) == {"type", "aggregate", "version", "occurred_at", "data"}
    assert {"FavoriteAdded", "WatchlistItemWatched", "ProfileUpdated", "SessionRevoked"} \
        <= set(event["properties"]["type"]["enum"])
    named = {ref["$ref"].rsplit("/", 1)[1]: schemas[ref["$ref"].rsplit("/", 1)[1]]
             ["properties"]["event"]["enum"] for ref in schemas["StreamMessage"]["oneOf"]}
    assert named["LoggedMessage"] == event["properties"]["type"]["enum"]
    assert [named[n] for n in ("StatsMessage", "ImportMessage", "ResetMessage", "EndMessage")] \
        == [["stats"], ["import"], ["reset"], ["end"]]


def test_the_api_points_a_misdirected_stream_at_the_events_process():
    from api import create_app
    answer = create_app().test_client().get(f"{API}/me/events")
    assert answer.status_code == 421
    assert answer.get_json()["message"].endswith(f"{API}/me/events (Procfile `events`).")


def test_the_typescript_clients_copy_of_the_document_is_current(document):
    committed = (CLIENT / "openapi.json").read_text()
    assert committed == canonical(document), (
        "clients/typescript is out of date with the API: run `make client` and commit")
