"""Helpers that drive the account commands and compare read models with the write side."""
from __future__ import annotations

import json

from sqlalchemy import select, text

from adapters.db import tables
from domain.accounts import commands
from movienexus.bootstrap import Container
from read_models.stores.account_documents import me_key
from adapters.messaging.envelope import Envelope
from read_models.stores.tables import read_users
from tests.support.util import unique_email

PASSWORD = "Popcorn-2026!"


def register(container: Container, email: str | None = None) -> str:
    outcome = container.handle(commands.RegisterUser(email=email or unique_email(),
                                                     password=PASSWORD))
    return outcome.value.id


def rename(container: Container, user_id: str, n: int) -> None:
    container.handle(commands.UpdateProfile(
        user_id=user_id, changes={"first_name": f"Name{n}", "profile": {"bio": f"bio {n}"}}))


def envelopes_of(container: Container, aggregate_id: str) -> list[Envelope]:
    with container.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT * FROM events WHERE aggregate_id = :id ORDER BY aggregate_version"),
            {"id": aggregate_id}).mappings().all()
    return [Envelope.from_row(row) for row in rows]


def expected_document(container: Container, user_id: str) -> tuple[dict, int]:
    """What GET /me must say, derived from the write-side row."""
    with container.engine.connect() as conn:
        row = conn.execute(select(tables.users).where(tables.users.c.id == user_id)).one()
    doc = {"id": user_id, "email": row.email, "first_name": row.first_name,
           "last_name": row.last_name, "email_verified": row.email_verified,
           "role": row.role, "created_at": row.created_at.isoformat(), "profile": row.profile}
    return doc, row.version


def read_documents(container: Container, user_id: str) -> tuple[dict | None, dict | None]:
    with container.engine.connect() as conn:
        table_doc = conn.execute(select(read_users.c.doc).where(
            read_users.c.user_id == user_id)).scalar()
    cached = container.redis.get(me_key(user_id))
    return table_doc, json.loads(cached) if cached else None


def assert_read_models_match(container: Container, user_id: str) -> None:
    expected, _version = expected_document(container, user_id)
    table_doc, cached_doc = read_documents(container, user_id)
    assert table_doc == expected, f"read_users differs for {user_id}"
    assert cached_doc == expected, f"redis document differs for {user_id}"
