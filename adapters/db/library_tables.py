"""Write-side tables of libraries: the aggregate's root row (its version) and its entries."""
from sqlalchemy import (Boolean, Column, DateTime, ForeignKey, Integer, PrimaryKeyConstraint,
                        SmallInteger, String, Table, Text)

from adapters.db.metadata import metadata

libraries = Table(
    "libraries", metadata,
    Column("id", String(64), primary_key=True),  # the user's id
    Column("version", Integer, nullable=False),
)

library_favorites = Table(
    "library_favorites", metadata,
    Column("library_id", String(64), ForeignKey("libraries.id"), nullable=False),
    Column("tmdb_id", Integer, nullable=False),
    Column("rating", SmallInteger),
    Column("notes", Text),
    Column("added_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("library_id", "tmdb_id"),
)

library_watchlist = Table(
    "library_watchlist", metadata,
    Column("library_id", String(64), ForeignKey("libraries.id"), nullable=False),
    Column("tmdb_id", Integer, nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
    Column("watched", Boolean, nullable=False),
    Column("watched_at", DateTime(timezone=True)),
    PrimaryKeyConstraint("library_id", "tmdb_id"),
)
