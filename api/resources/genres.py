"""/genres: TMDb's movie genres with how many movies the catalog has of each."""
from __future__ import annotations

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from api.context import container
from api.movie_responses import page_document
from api.openapi import ETAG_HEADERS, MAX_INT32, etagged, operation_id, path_id
from api.resources.movies import filters_from
from api.schemas import movies as schemas
from read_models.queries import catalog_queries as queries

blp = Blueprint("genres", __name__, url_prefix="/api/v1/genres", description="Genres")


@blp.route("")
class Genres(MethodView):
    @blp.response(200, schemas.GenreSchema(many=True))
    @operation_id("listGenres")
    def get(self):
        """Every genre: id, name and movie_count (counts may lag a few seconds)."""
        c = container()
        return Response(queries.genres_body(c.documents, c.engine),
                        mimetype="application/json")


@blp.route("/<int:genre_id>/movies",
           parameters=path_id("genre_id", MAX_INT32, "A genre id from GET /genres."))
class GenreMovies(MethodView):
    @blp.arguments(schemas.MovieQueryArgsSchema(), location="query")
    @blp.response(200, schemas.MoviePageSchema, headers=ETAG_HEADERS)
    @etagged()
    @operation_id("listGenreMovies")
    def get(self, args, genre_id):
        """The movies of a genre (the same filters and sorts as GET /movies)."""
        engine = container().engine
        if not 0 < genre_id <= MAX_INT32 or not queries.genre_exists(engine, genre_id):
            abort(404, message=f"No genre {genre_id}.")
        page = queries.browse(engine, filters_from(args, genres=[genre_id]), args["page"],
                              args["page_size"])
        return page_document(page, args["page"], args["page_size"])
