"""Creating the database when it is missing, and migrating it with Alembic."""
from __future__ import annotations

from pathlib import Path

import psycopg
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
EXTENSIONS = ("pg_trgm", "unaccent")


def create_database(database_url: str) -> bool:
    """Creates the database (and its extensions) if missing; True if it created it."""
    url = make_url(database_url)
    admin = url.set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                              (url.database,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{url.database}"')
    return not exists


def recreate_database(database_url: str) -> None:
    """Drops (disconnecting its sessions) and recreates a database, migrated: for the
    test suites' and benchmarks' own databases, never for one that holds data."""
    url = make_url(database_url)
    admin = url.set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
    create_database(database_url)
    upgrade(database_url)


def alembic_config(database_url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)
