"""Response schemas to check the bundled server against TMDb's shapes.

Preferred source: TMDb's own OpenAPI (``../shared/data/tmdb-openapi.json.gz``
beside the repository). When that file is absent, the compact schemas below
(written from the same document) stand in, so the checks always run.

Deliberate changes to TMDb's schemas, each because the document is looser or
wrong where the real API is not:

* ``required``: TMDb's document lists no required property at all, so a missing
  field would pass. Every documented property of every object is made required.
* Nullable fields: the document types ``poster_path``, ``backdrop_path``,
  ``belongs_to_collection``, ``imdb_id``, ``logo_path``, ``profile_path``,
  ``facebook_id`` and image ``iso_639_1`` as plain strings/objects, but TMDb
  sends ``null`` for them when there is nothing; they accept null here.
* ``MovieUpcomingListResponse`` types ``vote_average`` as integer while its own
  example holds decimals (7.5): it is checked as a number.
* ``MovieRecommendationsResponse`` is an empty object in the document: the
  recommendations list is checked with ``MovieSimilarResponse`` (same shape).
* ``additionalProperties`` stays open, as in the document: TMDb adds fields over
  time and clients must tolerate them.
"""
from __future__ import annotations

import copy
import functools
import gzip
import json
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
OPENAPI_FILE = REPO_ROOT.parent / "shared" / "data" / "tmdb-openapi.json.gz"
Schema = dict[str, Any]

NULLABLE = frozenset((
    "poster_path", "backdrop_path", "belongs_to_collection", "imdb_id", "logo_path",
    "profile_path", "facebook_id", "iso_639_1",
))
# Which documented operation describes a path's 200 answer, where it is not the path itself.
_SCHEMA_PATH_OVERRIDES = {"/3/movie/{movie_id}/recommendations": "/3/movie/{movie_id}/similar"}


def openapi_available() -> bool:
    return OPENAPI_FILE.is_file()


@functools.lru_cache(maxsize=1)
def _openapi() -> Schema:
    with gzip.open(OPENAPI_FILE, "rt", encoding="utf-8") as handle:
        return json.load(handle)


def response_schema(path: str, status: str = "200") -> tuple[Schema, str]:
    """(schema, "openapi" or "compact") for the answer of a documented path."""
    if openapi_available():
        return openapi_schema(path, status), "openapi"
    return compact_schema(path, status), "compact"


def openapi_schema(path: str, status: str = "200") -> Schema:
    """TMDb's schema for ``path``'s answer, with the changes the module doc lists."""
    spec = _openapi()
    documented = _SCHEMA_PATH_OVERRIDES.get(path, path) if status == "200" else path
    response = spec["paths"][documented]["get"]["responses"][status]
    schema = response["content"]["application/json"]["schema"]
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return tightened(schema)


def tightened(schema: Schema) -> Schema:
    """A copy where every property is required, nullable ones accept null, and
    integer vote averages accept decimals."""
    result = copy.deepcopy(schema)
    _tighten(result)
    return result


def _tighten(node: Any) -> None:
    if isinstance(node, list):
        for item in node:
            _tighten(item)
        return
    if not isinstance(node, dict):
        return
    properties = node.get("properties")
    if isinstance(properties, dict) and properties:
        node["required"] = sorted(properties)
        for name, prop in properties.items():
            _relax(name, prop)
    for value in node.values():
        _tighten(value)


def _relax(name: str, prop: Schema) -> None:
    kind = prop.get("type")
    if name in NULLABLE and isinstance(kind, str):
        prop["type"] = [kind, "null"]
    if name == "vote_average" and kind == "integer":
        prop["type"] = "number"


def without_required(schema: Schema, *names: str) -> Schema:
    """``schema`` with some top-level properties optional (appended parts lack ``id``)."""
    result = copy.deepcopy(schema)
    result["required"] = [r for r in result.get("required", []) if r not in names]
    return result


# --- compact stand-ins, used when TMDb's document is not beside the repository ---

def _obj(properties: dict[str, Schema]) -> Schema:
    return {"type": "object", "properties": properties, "required": sorted(properties)}


def _arr(items: Schema) -> Schema:
    return {"type": "array", "items": items}


_INT, _NUM, _STR, _BOOL = ({"type": t} for t in ("integer", "number", "string", "boolean"))
_NSTR = {"type": ["string", "null"]}
_ANY: Schema = {}

_LIST_ITEM = _obj({
    "adult": _BOOL, "backdrop_path": _NSTR, "genre_ids": _arr(_INT), "id": _INT,
    "original_language": _STR, "original_title": _STR, "overview": _STR, "popularity": _NUM,
    "poster_path": _NSTR, "release_date": _STR, "title": _STR, "video": _BOOL,
    "vote_average": _NUM, "vote_count": _INT,
})
_TRENDING_ITEM = _obj({**_LIST_ITEM["properties"], "media_type": _STR})


def _paged(item: Schema, **extra: Schema) -> Schema:
    return _obj({"page": _INT, "results": _arr(item), "total_pages": _INT,
                 "total_results": _INT, **extra})


_DATED = {"dates": _obj({"maximum": _STR, "minimum": _STR})}
_NAMED = _obj({"id": _INT, "name": _STR})
_DETAIL = _obj({
    **{k: v for k, v in _LIST_ITEM["properties"].items() if k != "genre_ids"},
    "belongs_to_collection": {"type": ["object", "null"]},
    "budget": _INT, "genres": _arr(_NAMED), "homepage": _STR, "imdb_id": _NSTR,
    "origin_country": _arr(_STR),
    "production_companies": _arr(_obj({"id": _INT, "logo_path": _NSTR, "name": _STR,
                                       "origin_country": _STR})),
    "production_countries": _arr(_obj({"iso_3166_1": _STR, "name": _STR})),
    "revenue": _INT, "runtime": _INT,
    "spoken_languages": _arr(_obj({"english_name": _STR, "iso_639_1": _STR, "name": _STR})),
    "status": _STR, "tagline": _STR,
})
_PERSON = {"adult": _BOOL, "gender": _INT, "id": _INT, "known_for_department": _STR,
           "name": _STR, "original_name": _STR, "popularity": _NUM, "profile_path": _NSTR,
           "credit_id": _STR}
_IMAGE = _obj({"aspect_ratio": _NUM, "height": _INT, "iso_639_1": _ANY, "file_path": _STR,
               "vote_average": _NUM, "vote_count": _INT, "width": _INT})

COMPACT: dict[str, Schema] = {
    "/3/movie/popular": _paged(_LIST_ITEM),
    "/3/movie/top_rated": _paged(_LIST_ITEM),
    "/3/movie/now_playing": _paged(_LIST_ITEM, **_DATED),
    "/3/movie/upcoming": _paged(_LIST_ITEM, **_DATED),
    "/3/trending/movie/{time_window}": _paged(_TRENDING_ITEM),
    "/3/search/movie": _paged(_LIST_ITEM),
    "/3/discover/movie": _paged(_LIST_ITEM),
    "/3/movie/{movie_id}/recommendations": _paged(_LIST_ITEM),
    "/3/movie/{movie_id}/similar": _paged(_LIST_ITEM),
    "/3/movie/{movie_id}": _DETAIL,
    "/3/genre/movie/list": _obj({"genres": _arr(_NAMED)}),
    "/3/movie/changes": _paged(_obj({"id": _INT, "adult": _BOOL})),
    "/3/configuration": _obj({
        "images": _obj({name: (_STR if name.endswith("url") else _arr(_STR)) for name in (
            "base_url", "secure_base_url", "backdrop_sizes", "logo_sizes", "poster_sizes",
            "profile_sizes", "still_sizes")}),
        "change_keys": _arr(_STR),
    }),
    "/3/movie/{movie_id}/credits": _obj({
        "id": _INT,
        "cast": _arr(_obj({**_PERSON, "cast_id": _INT, "character": _STR, "order": _INT})),
        "crew": _arr(_obj({**_PERSON, "department": _STR, "job": _STR})),
    }),
    "/3/movie/{movie_id}/videos": _obj({"id": _INT, "results": _arr(_obj({
        "iso_639_1": _STR, "iso_3166_1": _STR, "name": _STR, "key": _STR, "site": _STR,
        "size": _INT, "type": _STR, "official": _BOOL, "published_at": _STR, "id": _STR}))}),
    "/3/movie/{movie_id}/images": _obj({"id": _INT, "backdrops": _arr(_IMAGE),
                                        "logos": _arr(_IMAGE), "posters": _arr(_IMAGE)}),
    "/3/movie/{movie_id}/external_ids": _obj({
        "id": _INT, "imdb_id": _NSTR, "wikidata_id": _ANY, "facebook_id": _NSTR,
        "instagram_id": _ANY, "twitter_id": _ANY}),
    "/3/movie/{movie_id}/keywords": _obj({"id": _INT, "keywords": _arr(_NAMED)}),
}
ERROR = _obj({"success": _BOOL, "status_code": _INT, "status_message": _STR})


def compact_schema(path: str, status: str = "200") -> Schema:
    return COMPACT[path] if status == "200" else ERROR
