"""Tables of library imports: the job (who, which format, where it stands, its report)
and the file's rows as parsed, each with its match and whether it was written."""
from sqlalchemy import (Boolean, Column, DateTime, Float, ForeignKey, Index, Integer,
                        PrimaryKeyConstraint, String, Table, Text)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from adapters.db.metadata import metadata

imports = Table(
    "imports", metadata,
    Column("id", UUID(as_uuid=False), primary_key=True),
    Column("user_id", UUID(as_uuid=False), nullable=False),
    Column("format", String(20), nullable=False),
    Column("overwrite", Boolean, nullable=False),
    Column("status", String(20), nullable=False),  # queued, matching, writing, done, failed
    Column("total", Integer, nullable=False),
    Column("skipped", Integer, nullable=False),    # rows of shows and episodes
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    # runs that failed for the import's own reasons (an outage is not one), the last
    # one's error, and when the next may start (resume_imports waits for it)
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("failure", Text),
    Column("retry_at", DateTime(timezone=True)),
    Index("ix_imports_user_id", "user_id"),
)

import_rows = Table(
    "import_rows", metadata,
    Column("import_id", UUID(as_uuid=False), ForeignKey("imports.id"), nullable=False),
    Column("row_no", Integer, nullable=False),
    Column("entry", JSONB, nullable=False),        # the row as parsed (library_transfer.rows)
    Column("outcome", String(20), nullable=False),  # pending, matched, ambiguous, unmatched
    Column("tmdb_id", Integer),
    Column("confidence", Float),
    Column("how", Text),                            # tmdb id, imdb id, title and year
    Column("candidates", JSONB),
    Column("written", Boolean, nullable=False),
    PrimaryKeyConstraint("import_id", "row_no"),
)
