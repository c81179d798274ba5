"""Read tables of the catalog: movies (cards, details, search), lists and genres."""
from sqlalchemy import (
                        BigInteger,
                        Boolean,
                        Column,
                        Date,
                        DateTime,
                        Float,
                        Index,
                        Integer,
                        String,
                        Table,
                        Text,
                        text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR

from adapters.db.metadata import metadata
from domain.catalog.vocabulary import RELATION_KINDS

read_movies = Table(
    "read_movies", metadata,
    Column("tmdb_id", Integer, primary_key=True, autoincrement=False),
    Column("fields", JSONB, nullable=False),  # the projection's copy of TMDb's fields
    Column("card", JSONB, nullable=False),
    Column("detail", JSONB, nullable=False),
    Column("title", Text, nullable=False),
    Column("original_title", Text, nullable=False),
    Column("overview", Text, nullable=False),
    Column("search", TSVECTOR, nullable=False),
    Column("popularity", Float, nullable=False),
    Column("vote_average", Float, nullable=False),
    Column("vote_count", Integer, nullable=False),
    Column("release_date", Date),
    Column("year", Integer),
    Column("original_language", String(16), nullable=False),
    Column("genre_ids", ARRAY(Integer), nullable=False),
    Column("favorite_count", Integer, nullable=False, server_default="0"),
    Column("rating_sum", BigInteger, nullable=False, server_default="0"),
    Column("rating_count", Integer, nullable=False, server_default="0"),
    # how many counter deltas were folded in: with `version`, the documents' version
    Column("counts_seq", BigInteger, nullable=False, server_default="0"),
    Column("detail_complete", Boolean, nullable=False, server_default=text("false")),
    Column("delisted", Boolean, nullable=False, server_default=text("false")),
    *(Column(kind, ARRAY(Integer), nullable=False, server_default="{}") for kind in RELATION_KINDS),
    Column("version", Integer, nullable=False),
    Index("ix_read_movies_search", "search", postgresql_using="gin"),
    Index("ix_read_movies_title_trgm", text("lower(title) gin_trgm_ops"),
          postgresql_using="gin"),
    Index("ix_read_movies_genre_ids", "genre_ids", postgresql_using="gin"),
    Index("ix_read_movies_popularity", "popularity"),
    Index("ix_read_movies_vote_average", "vote_average"),
    Index("ix_read_movies_release_date", "release_date"),
    Index("ix_read_movies_title", "title"),
    Index("ix_read_movies_favorite_count", "favorite_count"),
    Index("ix_read_movies_year", "year"),
)

read_lists = Table(
    "read_lists", metadata,
    Column("name", String(40), primary_key=True),
    Column("tmdb_ids", ARRAY(Integer), nullable=False),
    Column("refreshed_at", DateTime(timezone=True)),
    Column("version", Integer, nullable=False),
)

read_genres = Table(
    "read_genres", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("name", String(100), nullable=False, server_default=""),
    Column("movie_count", Integer, nullable=False, server_default="0"),
)
