"""Read tables of libraries: each person's favorites and watchlist (with the genres and
year their events carried), their stats counters, the movie counter deltas waiting to be
folded into read_movies, and the recommendations computed from all of them."""
from sqlalchemy import (
                        BigInteger,
                        Boolean,
                        Column,
                        DateTime,
                        Identity,
                        Index,
                        Integer,
                        PrimaryKeyConstraint,
                        SmallInteger,
                        String,
                        Table,
                        Text,
                        func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from adapters.db.metadata import metadata

read_favorites = Table(
    "read_favorites", metadata,
    Column("user_id", String(64), nullable=False),
    Column("tmdb_id", Integer, nullable=False),
    Column("rating", SmallInteger),
    Column("notes", Text),
    Column("added_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("genre_ids", ARRAY(Integer), nullable=False),
    Column("year", Integer),
    PrimaryKeyConstraint("user_id", "tmdb_id"),
    Index("ix_read_favorites_user_added", "user_id", "added_at"),
    Index("ix_read_favorites_tmdb_id", "tmdb_id"),
)

read_watchlist = Table(
    "read_watchlist", metadata,
    Column("user_id", String(64), nullable=False),
    Column("tmdb_id", Integer, nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
    Column("watched", Boolean, nullable=False),
    Column("watched_at", DateTime(timezone=True)),
    Column("genre_ids", ARRAY(Integer), nullable=False),
    Column("year", Integer),
    PrimaryKeyConstraint("user_id", "tmdb_id"),
)

read_library_stats = Table(
    "read_library_stats", metadata,
    Column("user_id", String(64), primary_key=True),
    Column("counters", JSONB, nullable=False),  # see read_models.stores.library_stats
    Column("version", Integer, nullable=False),  # the library version they include
)

# One row per favorite event that moves a movie's counters; folded into read_movies
# (favorite_count, rating_sum, rating_count) in batches, so writers never queue on the
# row of a popular movie.
read_movie_counter_deltas = Table(
    "read_movie_counter_deltas", metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("tmdb_id", Integer, nullable=False, index=True),
    Column("favorites", SmallInteger, nullable=False),
    Column("rating_sum", SmallInteger, nullable=False),
    Column("ratings", SmallInteger, nullable=False),
)

# Derived from the read tables (not from the event log), so a read-model rebuild keeps it.
recommendation_lists = Table(
    "recommendation_lists", metadata,
    Column("user_id", String(64), primary_key=True),
    Column("items", JSONB, nullable=False),  # [{tmdb_id, score, reasons}], best first
    Column("library_version", Integer, nullable=False),
    Column("seq", BigInteger, nullable=False),  # moves up with each computation
    Column("computed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
