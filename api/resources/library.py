"""/me/favorites, /me/watchlist, /me/stats, /me/recommendations: the caller's library.

Writes are commands on the caller's Library (one per person); a write that lost a race
with another write of the same person is run again on the state the winner left, so
the later commit wins field by field and both are in the event log (see README). Reads
are the library read models, Redis first.
"""
from __future__ import annotations

from flask.views import MethodView
from flask_jwt_extended import jwt_required
from flask_smorest import Blueprint, abort

from api import catalog_imports, hot_reads
from api.commands import run
from api.consistency import own_read, token_headers
from api.context import container, current_user_id
from api.hot_reads import hot
from api.movie_responses import json_document, page_document
from api.openapi import CONSISTENT_READ_HEADERS, WRITE_HEADERS, answers, authenticated, \
    consistent, operation_id
from api.resources.movies import MAX_TMDB_ID, TMDB_ID
from api.schemas import library as schemas
from api.schemas.common import PageQueryArgsSchema
from domain.library import commands
from domain.library.handlers import Saved
from read_models.queries import catalog_queries
from read_models.stores import library_documents as docs
from read_models.queries import library_queries as queries

blp = Blueprint("library", __name__, url_prefix="/api/v1/me",
                description="Your favorites, watchlist, stats and recommendations")

CONFLICT_RETRIES = 5


def _filters(args: dict) -> queries.EntryFilters:
    return queries.EntryFilters(q=args.get("q"), genres=args.get("genre") or [],
                                min_rating=args.get("min_rating"),
                                watched=args.get("watched"), sort=args["sort"])


def _entries(kind: str, args: dict):
    page = queries.entries_page(container().library_reads, current_user_id(), kind,
                                _filters(args), args["page"], args["page_size"])
    return page_document(page, args["page"], args["page_size"])


def _movie_for_library(tmdb_id: int) -> None:
    """A movie the catalog lacks is imported first, and one known only from a list is
    completed (the person waits once); an id TMDb does not know is 404."""
    _valid(tmdb_id)
    found = catalog_imports.stored_detail(tmdb_id)
    if found is None or not found.body:
        abort(404, message=f"No movie {tmdb_id} (TMDb does not know it, or it was removed).")


def _valid(tmdb_id: int) -> int:
    if not 0 < tmdb_id <= MAX_TMDB_ID:
        abort(404, message=f"No movie {tmdb_id}.")
    return tmdb_id


def _saved(outcome, entry: str):
    """The entry as written, with the movie's current card; 201 when it is new."""
    saved: Saved = outcome.value
    c = container()
    cards = catalog_queries.cards(c.documents, c.engine, [saved.entry.tmdb_id])
    card = cards[0] if cards else docs.dump({"tmdb_id": saved.entry.tmdb_id}).encode()
    response = json_document(docs.item(card, entry.encode()))
    response.status_code = 201 if saved.created else 200
    response.headers.update(token_headers(outcome.commit))
    return response


@blp.route("/favorites")
class Favorites(MethodView):
    @hot(hot_reads.entries_of("fav"))
    @jwt_required()
    @own_read
    @blp.arguments(schemas.FavoriteQueryArgsSchema(), location="query")
    @blp.response(200, schemas.FavoritePageSchema, headers=CONSISTENT_READ_HEADERS)
    @authenticated
    @consistent()
    @operation_id("listFavorites")
    def get(self, args):
        """Your favorites, each with the movie's current card: filter by title (q),
        genre (all given) and min_rating; sort by added_at (default -added_at), rating,
        title, release_date or popularity, each with - for descending."""
        return _entries("fav", args)


@blp.route("/favorites/<int:tmdb_id>", parameters=TMDB_ID)
class FavoriteById(MethodView):
    @jwt_required()
    @blp.arguments(schemas.FavoriteBodySchema())
    @blp.response(200, schemas.FavoriteSchema, description="Updated", headers=WRITE_HEADERS)
    @blp.alt_response(201, schema=schemas.FavoriteSchema, description="Added",
                      headers=WRITE_HEADERS)
    @authenticated
    @answers(404, 409, 429)
    @operation_id("putFavorite")
    def put(self, body, tmdb_id):
        """Add a movie to your favorites or change its rating (1-10) and notes; a field
        left out keeps its value, null clears it. 201 when new, 200 when updated."""
        _movie_for_library(tmdb_id)
        outcome = run(commands.SaveFavorite(current_user_id(), tmdb_id, body),
                      conflict_retries=CONFLICT_RETRIES)
        if outcome.value.created:
            catalog_imports.ask_for_relations(tmdb_id, current_user_id())
        favorite = outcome.value.entry
        return _saved(outcome, docs.favorite_entry(favorite.rating, favorite.notes,
                                                   favorite.added_at, favorite.updated_at))

    @jwt_required()
    @blp.response(204, headers=WRITE_HEADERS)
    @authenticated
    @answers(404, 409)
    @operation_id("deleteFavorite")
    def delete(self, tmdb_id):
        """Remove a movie from your favorites; 404 if it was not one."""
        outcome = run(commands.RemoveFavorite(current_user_id(), _valid(tmdb_id)),
                      conflict_retries=CONFLICT_RETRIES)
        return None, 204, token_headers(outcome.commit)


@blp.route("/watchlist")
class Watchlist(MethodView):
    @hot(hot_reads.entries_of("wl"))
    @jwt_required()
    @own_read
    @blp.arguments(schemas.WatchlistQueryArgsSchema(), location="query")
    @blp.response(200, schemas.WatchlistPageSchema, headers=CONSISTENT_READ_HEADERS)
    @authenticated
    @consistent()
    @operation_id("listWatchlist")
    def get(self, args):
        """Your watchlist, each with the movie's current card: filter by watched, title
        (q) and genre; sort by added_at (default -added_at), watched_at, title,
        release_date or popularity, each with - for descending."""
        return _entries("wl", args)


@blp.route("/watchlist/<int:tmdb_id>", parameters=TMDB_ID)
class WatchlistItemById(MethodView):
    @jwt_required()
    @blp.arguments(schemas.WatchlistBodySchema())
    @blp.response(200, schemas.WatchlistItemSchema, description="Updated",
                  headers=WRITE_HEADERS)
    @blp.alt_response(201, schema=schemas.WatchlistItemSchema, description="Added",
                      headers=WRITE_HEADERS)
    @authenticated
    @answers(404, 409, 429)
    @operation_id("putWatchlistItem")
    def put(self, body, tmdb_id):
        """Put a movie on your watchlist, or mark it watched (watched: true) or not.
        201 when new, 200 otherwise."""
        _movie_for_library(tmdb_id)
        outcome = run(commands.SaveWatchlistItem(current_user_id(), tmdb_id,
                                                 body.get("watched")),
                      conflict_retries=CONFLICT_RETRIES)
        item = outcome.value.entry
        return _saved(outcome, docs.watchlist_entry(item.added_at, item.watched,
                                                    item.watched_at))

    @jwt_required()
    @blp.response(204, headers=WRITE_HEADERS)
    @authenticated
    @answers(404, 409)
    @operation_id("deleteWatchlistItem")
    def delete(self, tmdb_id):
        """Take a movie off your watchlist; 404 if it was not on it."""
        outcome = run(commands.RemoveWatchlistItem(current_user_id(), _valid(tmdb_id)),
                      conflict_retries=CONFLICT_RETRIES)
        return None, 204, token_headers(outcome.commit)


@blp.route("/stats")
class Stats(MethodView):
    @hot(hot_reads.stats, query=())
    @jwt_required()
    @own_read
    @blp.response(200, schemas.StatsSchema, headers=CONSISTENT_READ_HEADERS)
    @authenticated
    @consistent()
    @operation_id("getStats")
    def get(self):
        """Your totals, average rating, favorites of the last 30 days, top genres,
        favorites by decade and rating histogram (kept up by projections)."""
        return json_document(queries.stats_body(container().library_reads,
                                                current_user_id()))


@blp.route("/recommendations")
class Recommendations(MethodView):
    @jwt_required()
    @own_read
    @blp.arguments(PageQueryArgsSchema(), location="query")
    @blp.response(200, schemas.RecommendationPageSchema, headers=CONSISTENT_READ_HEADERS)
    @authenticated
    @consistent()
    @operation_id("listRecommendations")
    def get(self, args):
        """Movies for you, best first, each with short reasons; never one you favorited
        or have on your watchlist. Recomputed within seconds of a change to your library."""
        page = queries.recommendations_page(container().library_reads, current_user_id(),
                                            args["page"], args["page_size"])
        return page_document(page, args["page"], args["page_size"])
