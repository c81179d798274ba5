"""/movies: browse, search, TMDb's lists, details and related movies (read models only,
plus TMDb for a movie or search the catalog does not have yet)."""
from __future__ import annotations

from flask.views import MethodView
from flask_jwt_extended import get_jwt, get_jwt_identity, verify_jwt_in_request
from flask_smorest import Blueprint, abort

from api import catalog_imports, hot_reads
from api.consistency import consistent_read, own_writes_first
from api.context import container
from api.hot_reads import hot
from api.movie_responses import json_document, page_document
from api.openapi import CONSISTENT_READ_HEADERS, ETAG_HEADERS, MAX_INT32, consistent, \
    etagged, operation_id, optionally_authenticated, path_id
from api.schemas import movies as schemas
from api.schemas.common import PageQueryArgsSchema
from domain.catalog.vocabulary import (CURATED_LISTS, RECOMMENDATIONS, SIMILAR, list_path,
                                       trending_list)
from read_models.queries import catalog_queries as queries
from read_models.stores import library_documents as library_docs
from read_models.queries import library_queries

blp = Blueprint("movies", __name__, url_prefix="/api/v1/movies",
                description="The catalog: browse, search, TMDb's lists, details")

MAX_TMDB_ID = MAX_INT32
TMDB_ID = path_id("tmdb_id", MAX_TMDB_ID, "The movie's TMDb id.")
CONSISTENT_READ_ETAG_HEADERS = {**CONSISTENT_READ_HEADERS, **ETAG_HEADERS}


def filters_from(args: dict, genres: list[int] | None = None) -> queries.MovieFilters:
    return queries.MovieFilters(
        q=args.get("q"), genres=genres or args.get("genre") or [], year=args.get("year"),
        year_from=args.get("year_from"), year_to=args.get("year_to"),
        min_rating=args.get("min_rating"), language=args.get("language"), sort=args["sort"])


def list_page(name: str, args: dict):
    c = container()
    page = queries.list_page(c.documents, c.engine, name, args["page"], args["page_size"])
    return page_document(page, args["page"], args["page_size"])


def detail_of(tmdb_id: int) -> bytes:
    """The stored detail; an unknown id is imported from TMDb first, and a movie known
    only from a list gets TMDb's full detail first; else 404."""
    if not 0 < tmdb_id <= MAX_TMDB_ID:
        abort(404, message=f"No movie {tmdb_id}.")
    found = catalog_imports.stored_detail(tmdb_id)
    if found is None or not found.body:
        abort(404, message=f"No movie {tmdb_id} (TMDb does not know it, or it was removed).")
    return found.body


def caller_id() -> str | None:
    """The logged-in caller of a public route, if a valid token came with it."""
    verify_jwt_in_request(optional=True)
    return get_jwt_identity()


@blp.route("")
class Movies(MethodView):
    @consistent_read
    @blp.arguments(schemas.MovieQueryArgsSchema(), location="query")
    @blp.response(200, schemas.MoviePageSchema, headers=CONSISTENT_READ_ETAG_HEADERS)
    @etagged()
    @consistent()
    @operation_id("listMovies")
    def get(self, args):
        """Browse: filters (q in titles, genre (all given), years, rating, language), sort."""
        page = queries.browse(container().engine, filters_from(args), args["page"],
                              args["page_size"])
        return page_document(page, args["page"], args["page_size"])


@blp.route("/search")
class MovieSearch(MethodView):
    @hot(hot_reads.search, query=("q", "page", "page_size"))
    @blp.arguments(schemas.SearchQueryArgsSchema(), location="query")
    @blp.response(200, schemas.MoviePageSchema, headers=ETAG_HEADERS)
    @etagged()
    @operation_id("searchMovies")
    def get(self, args):
        """Search titles and overviews, best match first, typo-tolerant; when fewer than
        a page of stored movies match its words, TMDb's search is asked and what it
        returns is imported."""
        q, number, size = args["q"], args["page"], args["page_size"]
        c = container()
        key = queries.search_cache_key(c.documents, q, number, size)
        if (cached := queries.cached_search(c.cache, c.documents, c.engine, key)) is not None:
            return page_document(cached, number, size)
        generation = queries.catalog_generation(c.documents)
        page = queries.search(c.engine, q, number, size)
        few = number == 1 and page.close_matches < size
        if few and catalog_imports.import_search_results(q):
            generation = queries.catalog_generation(c.documents)
            page = queries.search(c.engine, q, number, size)
        queries.cache_search(c.cache, key, page, c.settings.search_cache_max_pages,
                             generation)
        return page_document(page, number, size)


def _camel(name: str) -> str:
    return name.title().replace("_", "")      # top_rated: TopRated


def curated_list_resource(name: str) -> type[MethodView]:
    """The resource of one of TMDb's curated lists, at /movies/<name with dashes>."""
    class CuratedList(MethodView):
        @hot(hot_reads.list_of(name))
        @blp.arguments(PageQueryArgsSchema(), location="query")
        @blp.response(200, schemas.MoviePageSchema, headers=ETAG_HEADERS)
        @etagged()
        @operation_id(f"list{_camel(name)}Movies")
        def get(self, args):
            return list_page(name, args)
    CuratedList.get.__doc__ = (f"TMDb's {name.replace('_', ' ')} movies, in TMDb's order "
                               "from the last sync.")
    CuratedList.__name__ = CuratedList.__qualname__ = _camel(name)
    return blp.route(f"/{list_path(name)}")(CuratedList)


CURATED_LIST_RESOURCES = [curated_list_resource(name) for name in CURATED_LISTS]


@blp.route("/trending")
class Trending(MethodView):
    @hot(hot_reads.trending, query=("page", "page_size", "window"))
    @blp.arguments(schemas.TrendingQueryArgsSchema(), location="query")
    @blp.response(200, schemas.MoviePageSchema, headers=ETAG_HEADERS)
    @etagged()
    @operation_id("listTrendingMovies")
    def get(self, args):
        """Trending today (window=day) or this week (window=week)."""
        return list_page(trending_list(args["window"]), args)


@blp.route("/<int:tmdb_id>", parameters=TMDB_ID)
class MovieById(MethodView):
    @hot(hot_reads.detail, query=())
    @consistent_read
    @blp.response(200, schemas.MovieDetailSchema, headers=CONSISTENT_READ_ETAG_HEADERS)
    @etagged()
    @consistent()
    @optionally_authenticated
    @operation_id("getMovie")
    def get(self, tmdb_id):
        """A movie's detail; an unknown-but-real TMDb id is imported on the spot. With a
        token, `me` says what the caller's library holds of it, their own last writes
        included (an own read)."""
        body = detail_of(tmdb_id)
        user_id = caller_id()
        if user_id is None:
            return json_document(body)
        own_writes_first(user_id, get_jwt()["sid"])
        me = library_queries.me_of_movie(container().library_reads, user_id, tmdb_id)
        response = json_document(library_docs.with_field(body, "me", me))
        response.vary.add("Authorization")
        return response


def related_page(kind: str, tmdb_id: int, args: dict):
    c = container()
    detail_of(tmdb_id)
    ids = queries.relation_ids(c.documents, c.engine, kind, tmdb_id)
    page = queries.page_of_ids(c.documents, c.engine, ids, args["page"], args["page_size"])
    return page_document(page, args["page"], args["page_size"])


@blp.route("/<int:tmdb_id>/recommendations", parameters=TMDB_ID)
class MovieRecommendations(MethodView):
    @blp.arguments(PageQueryArgsSchema(), location="query")
    @blp.response(200, schemas.MoviePageSchema, headers=ETAG_HEADERS)
    @etagged()
    @operation_id("listMovieRecommendations")
    def get(self, args, tmdb_id):
        """TMDb's recommendations for a movie (as of the last sync)."""
        return related_page(RECOMMENDATIONS, tmdb_id, args)


@blp.route("/<int:tmdb_id>/similar", parameters=TMDB_ID)
class SimilarMovies(MethodView):
    @blp.arguments(PageQueryArgsSchema(), location="query")
    @blp.response(200, schemas.MoviePageSchema, headers=ETAG_HEADERS)
    @etagged()
    @operation_id("listSimilarMovies")
    def get(self, args, tmdb_id):
        """Movies TMDb finds similar (as of the last sync)."""
        return related_page(SIMILAR, tmdb_id, args)
