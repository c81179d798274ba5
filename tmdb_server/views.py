"""TMDb v3's movie endpoints, under /3. ``language`` and ``region`` are accepted
and ignored: the catalog holds one language (original titles stay native).
"""
from __future__ import annotations

import time
from typing import Any, Callable, Sequence

from flask import Blueprint, request

from . import changes, discover, errors, extras, lists, params, shapes, web
from .catalog import Catalog
from .model import Movie
from .search import SearchQuery, search

blueprint = Blueprint("tmdb", __name__)
MAX_APPENDS = 20
Json = dict[str, Any]


@blueprint.before_request
def _faults_then_auth() -> None:
    state = web.state()
    outcome = state.faults.decide()
    if outcome.delay:
        time.sleep(outcome.delay)
    if outcome.error is not None:
        raise outcome.error
    if not state.authorised(request.args.get("api_key"), request.headers.get("Authorization")):
        raise errors.invalid_api_key()


def _catalog() -> Catalog:
    return web.state().catalog


def _page_of(movies: Sequence[Movie], to_json: Callable[[Movie], Json] = shapes.list_item) -> Json:
    return shapes.paged(movies, params.page(request.args), to_json)


def _dated(dated: lists.DatedList) -> Json:
    dates = {"maximum": dated.maximum.isoformat(), "minimum": dated.minimum.isoformat()}
    return {"dates": dates, **_page_of(dated.movies)}


def _movie(raw_id: str) -> Movie:
    movie = _catalog().get(params.movie_id(raw_id))
    if movie is None:
        raise errors.not_found()
    return movie


@blueprint.get("/movie/popular")
def popular() -> Json:
    return _page_of(lists.popular(_catalog()))


@blueprint.get("/movie/top_rated")
def top_rated() -> Json:
    return _page_of(lists.top_rated(_catalog()))


@blueprint.get("/movie/now_playing")
def now_playing() -> Json:
    return _dated(lists.now_playing(_catalog()))


@blueprint.get("/movie/upcoming")
def upcoming() -> Json:
    return _dated(lists.upcoming(_catalog()))


@blueprint.get("/trending/movie/<window>")
def trending(window: str) -> Json:
    if window not in ("day", "week"):
        raise errors.not_found()
    return _page_of(lists.trending(_catalog(), window), shapes.trending_item)


@blueprint.get("/search/movie")
def search_movies() -> Json:
    args = request.args
    text = params.text(args, "query")
    if text is None:
        raise errors.invalid_parameters("query must be provided")
    query = SearchQuery(
        text=text,
        year=params.whole(args, "primary_release_year") or params.whole(args, "year"),
        include_adult=params.flag(args, "include_adult"),
    )
    return _page_of(search(_catalog(), query))


@blueprint.get("/discover/movie")
def discover_movies() -> Json:
    query = discover.parse_query(request.args)
    return _page_of(discover.discover(_catalog(), query))


@blueprint.get("/movie/changes")
def movie_changes() -> Json:
    catalog = _catalog()
    start, end = changes.requested_window(request.args, catalog.now())
    entries = catalog.changed_between(start, end)
    page = params.page(request.args)
    return shapes.paged(entries, page, shapes.change_item, size=shapes.CHANGES_PAGE_SIZE)


@blueprint.get("/find/<external_id>")
def find(external_id: str) -> Json:
    """TMDb's /find by an external id; only `imdb_id` is a source this catalog knows
    (the others find nothing, as TMDb answers for an id it does not hold)."""
    source = request.args.get("external_source")
    if not source:
        raise errors.invalid_parameters("external_source must be provided")
    index = _catalog().cached("imdb", lambda movies: {m.imdb_id: m for m in movies
                                                      if m.imdb_id})
    found = index.get(external_id) if source == "imdb_id" else None
    return {"movie_results": [shapes.list_item(found)] if found else [],
            "person_results": [], "tv_results": [], "tv_episode_results": [],
            "tv_season_results": []}


@blueprint.get("/movie/<movie_id>")
def movie_detail(movie_id: str) -> Json:
    movie = _movie(movie_id)
    body = shapes.detail(movie)
    for name in _appends(request.args.get("append_to_response", "")):
        part = _appended(name, movie)
        if part is not None:
            body[name] = part
    return body


def _appends(raw: str) -> list[str]:
    names = [name.strip() for name in raw.split(",") if name.strip()]
    if len(names) > MAX_APPENDS:
        raise errors.too_many_appends()
    return list(dict.fromkeys(names))


def _appended(name: str, movie: Movie) -> Json | None:
    """The part ``append_to_response=name`` adds, or None for names TMDb would ignore."""
    related = _related_lists().get(name)
    if related is not None:
        return shapes.paged(related(movie.id), 1, shapes.list_item)
    extra = extras.EXTRAS.get(name)
    return extra(movie, _catalog().seed) if extra else None


def _related_lists() -> dict[str, Callable[[int], list[Movie]]]:
    catalog = _catalog()
    return {"recommendations": catalog.recommendations, "similar": catalog.similar}


@blueprint.get("/movie/<movie_id>/recommendations")
def recommendations(movie_id: str) -> Json:
    return _page_of(_catalog().recommendations(_movie(movie_id).id))


@blueprint.get("/movie/<movie_id>/similar")
def similar(movie_id: str) -> Json:
    return _page_of(_catalog().similar(_movie(movie_id).id))


@blueprint.get("/movie/<movie_id>/<part>")
def movie_part(movie_id: str, part: str) -> Json:
    """credits, videos, images, external_ids and keywords on their own."""
    extra = extras.EXTRAS.get(part)
    if extra is None:
        raise errors.not_found()
    movie = _movie(movie_id)
    return {"id": movie.id, **extra(movie, _catalog().seed)}


@blueprint.get("/genre/movie/list")
def genre_list() -> Json:
    return shapes.genre_list()


@blueprint.get("/configuration")
def configuration() -> Json:
    return shapes.CONFIGURATION
