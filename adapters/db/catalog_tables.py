"""Write-side tables of the catalog: movies, the genre catalog, TMDb's lists."""
from sqlalchemy import Boolean, Column, DateTime, Integer, String, Table
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from adapters.db.metadata import metadata

movies = Table(
    "movies", metadata,
    Column("id", String(64), primary_key=True),
    Column("tmdb_id", Integer, nullable=False, unique=True),
    Column("fields", JSONB, nullable=False),  # TMDb's values, see domain.catalog.fields
    Column("content_hash", String(64), nullable=False),
    Column("delisted", Boolean, nullable=False),
    Column("detail_complete", Boolean, nullable=False),
    Column("recommendations", ARRAY(Integer), nullable=False),
    Column("similar", ARRAY(Integer), nullable=False),
    Column("version", Integer, nullable=False),
)

genre_catalogs = Table(
    "genre_catalogs", metadata,
    Column("id", String(40), primary_key=True),
    Column("genres", JSONB, nullable=False),  # {"28": "Action", ...}
    Column("version", Integer, nullable=False),
)

curated_lists = Table(
    "curated_lists", metadata,
    Column("id", String(40), primary_key=True),
    Column("tmdb_ids", ARRAY(Integer), nullable=False),
    Column("refreshed_at", DateTime(timezone=True)),
    Column("version", Integer, nullable=False),
)
