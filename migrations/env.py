"""Alembic environment: one metadata for write and read tables; URL from DATABASE_URL."""
from alembic import context
from sqlalchemy import create_engine, pool

import read_models.stores.catalog_tables  # noqa: F401  (registers the catalog read tables)
import adapters.messaging.tables  # noqa: F401  (registers the messaging tables on the metadata)
import read_models.stores.library_tables  # noqa: F401  (registers the library read tables)
import read_models.stores.tables  # noqa: F401  (registers the read tables on the metadata)
from adapters.db import catalog_tables  # noqa: F401  (registers the catalog write tables)
from adapters.db import import_tables  # noqa: F401  (registers the library import tables)
from adapters.db import library_tables  # noqa: F401  (registers the library write tables)
from adapters.db import tables  # noqa: F401  (registers the write tables)
from adapters.db.metadata import metadata
from movienexus.config import load

config = context.config
target_metadata = metadata


def database_url() -> str:
    return config.attributes.get("database_url") or load().database_url


def run_offline() -> None:
    context.configure(url=database_url(), target_metadata=target_metadata,
                      literal_binds=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    engine = create_engine(database_url(), poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata,
                          compare_type=True)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
