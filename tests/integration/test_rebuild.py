"""Rebuilding the read models from the event log: it repairs them, in fresh tables; its
bulk path builds exactly what the per-event handlers build; it includes an event that
commits after its cursor passed that event's position; and it refuses the swap, the
live tables untouched, while anything is held back.

These tests use a database of their own, made afresh, so the log holds only what they
write (a rebuild refuses a log with unappliable events in it, which other tests leave
in theirs on purpose)."""
import os
import subprocess
import sys
import uuid
from dataclasses import replace
from datetime import datetime, timezone

import pytest
from sqlalchemy import delete, insert, select, text, update

from adapters.db import tables
from adapters.messaging import dead_letters
from domain.accounts import commands
from domain.catalog import commands as catalog
from movienexus import database
from movienexus.bootstrap import Container
from read_models.stores import movie_documents as docs
from adapters.messaging.envelope import Envelope
from read_models.operations.rebuild import RebuildRefused, rebuilt_tables
from adapters.messaging.tables import dead_letters as dead_letters_table
from read_models.stores.tables import read_users
from tests.integration.test_catalog_projections import list_item, new_tmdb_id
from tests.support.accounts import (PASSWORD, assert_read_models_match, envelopes_of,
                                    register, rename)
from tests.support.env import ROOT
from tests.support.util import unique_email


@pytest.fixture(scope="module")
def fresh(settings) -> Container:
    url = f"{settings.database_url}_rebuild"
    database.recreate_database(url)
    redis_base, redis_db = settings.redis_url.rsplit("/", 1)
    container = Container(replace(settings, database_url=url,
                                  redis_url=f"{redis_base}/{int(redis_db) + 2}"))
    yield container
    container.engine.dispose()


def project_log(container) -> None:
    """The live path: every event through the per-event handlers, in log order."""
    with container.engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM events ORDER BY position")).mappings().all()
    for row in rows:
        container.projection_runner.apply(Envelope.from_row(row))


def read_tables(container) -> dict[str, list[dict]]:
    """Every row of every rebuilt table (but the time a row was last written)."""
    tables_rows = {}
    with container.engine.connect() as conn:
        for name in rebuilt_tables():
            rows = conn.execute(text(f"SELECT * FROM {name}")).mappings().all()
            cleaned = [{k: v for k, v in row.items() if k != "updated_at"} for row in rows]
            tables_rows[name] = sorted(cleaned, key=repr)
    return tables_rows


def login(container, email) -> str:
    return container.handle(commands.Login(email=email, password=PASSWORD, ip="10.0.0.1",
                                           user_agent="pytest")).value.session_id


def mixed_history(container) -> dict:
    """Users, sessions, movies, a genre sync in the middle and a list: every kind of
    event the projections handle, interleaved as they come in the log."""
    users, movies = [], [new_tmdb_id() for _ in range(4)]
    for n in range(3):
        email = unique_email("rebuild")
        user_id = container.handle(commands.RegisterUser(email=email, password=PASSWORD,
                                                         first_name=f"U{n}")).value.id
        users.append(user_id)
        rename(container, user_id, n)
        container.handle(commands.VerifyEmail(user_id=user_id, email=email))
        session = login(container, email)
        if n == 0:
            container.handle(commands.RevokeSession(user_id=user_id, session_id=session))
        container.handle(catalog.ImportMovie(list_item(movies[n], genre_ids=[18, 99999])))
    container.handle(catalog.SyncGenres([{"id": 18, "name": "Drama"},
                                         {"id": 35, "name": "Comedy"}]))
    container.handle(catalog.ImportMovie(list_item(movies[3])))
    container.handle(catalog.ImportMovie(list_item(movies[0], vote_count=999,
                                                   genre_ids=[35])))
    container.handle(catalog.RefreshRelations(movies[1], "similar", [movies[2]]))
    container.handle(catalog.DelistMovie(movies[2]))
    container.handle(catalog.RefreshList("popular", movies[:2]))
    container.handle(catalog.RefreshList("popular", [movies[3], movies[0]]))
    for user_id in users:
        rename(container, user_id, 10)
    return {"users": users, "movies": movies}


FELL_BACK = "go one event at a time"


@pytest.mark.parametrize("workers", [1, 2])
def test_the_bulk_rebuild_builds_exactly_what_the_handlers_build(fresh, caplog, workers):
    history = mixed_history(fresh)
    project_log(fresh)
    live = read_tables(fresh)

    rebuild = fresh.read_model_rebuild()
    rebuild.workers = workers
    report = rebuild.run()

    assert read_tables(fresh) == live
    if workers == 1:                            # (the workers' logs are their own)
        assert FELL_BACK not in caplog.text, "the bulk path built them, not the handlers"
    assert report.events == fresh.read_model_rebuild().events_to_replay()
    assert live["read_sessions"] and live["read_genres"] and live["read_lists"]
    for user_id in history["users"]:
        assert_read_models_match(fresh, user_id)


def test_a_rebuild_repairs_damaged_read_models_and_keeps_the_schema(fresh):
    damaged, removed = register(fresh), register(fresh)
    tmdb_id = new_tmdb_id()
    fresh.handle(catalog.ImportMovie(list_item(tmdb_id)))
    for user_id in (damaged, removed):
        rename(fresh, user_id, 1)
    project_log(fresh)
    with fresh.engine.begin() as conn:
        conn.execute(update(read_users).where(read_users.c.user_id == damaged)
                     .values(doc={"id": damaged, "email": "wrong"}))
        conn.execute(delete(read_users).where(
            read_users.c.user_id == removed))
        conn.execute(text("DELETE FROM read_sessions"))
        conn.execute(text("DELETE FROM read_movies"))
    fresh.redis.delete(f"me:{removed}", f"me:{removed}:v", docs.card_key(tmdb_id),
                       docs.card_key(tmdb_id) + ":v", f"applied:user:{removed}")

    rebuild = fresh.read_model_rebuild()
    in_log, seen = rebuild.events_to_replay(), []
    report = rebuild.run(seen.append)

    assert report.position >= envelopes_of(fresh, removed)[-1].position
    assert sum(seen) >= in_log, "every event of the log was replayed"
    for user_id in (damaged, removed):
        assert_read_models_match(fresh, user_id)
    assert int(fresh.redis.get(f"applied:user:{removed}")) == 2
    assert fresh.redis.get(docs.card_key(tmdb_id)), "the movie's card is back in Redis"
    with fresh.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM read_movies WHERE tmdb_id = :id"),
                            {"id": tmdb_id}).scalar() == 1
        indexes = set(conn.execute(text(
            "SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")).scalars())
        schemas = set(conn.execute(text(
            "SELECT nspname FROM pg_namespace")).scalars())
    assert {"pk_read_users", "ix_read_sessions_user_id", "ix_read_movies_search",
            "ix_read_movies_title_trgm"} <= indexes
    assert not {"rebuild", "retired"} & schemas


@pytest.mark.parametrize("workers", [1, 2])
def test_an_event_committed_after_the_cursor_passed_its_position_is_rebuilt(fresh, workers):
    """Positions come from an identity column, taken at insert: a transaction that
    inserts early and commits late leaves a low position the cursor has passed."""
    user_id = register(fresh)
    project_log(fresh)
    late = fresh.engine.connect()
    transaction = late.begin()
    position = late.execute(insert(tables.events).values(
        event_id=str(uuid.uuid4()), event_type="ProfileUpdated", event_version=1,
        aggregate_type="user", aggregate_id=user_id, aggregate_version=2,
        payload={"changes": {"first_name": "Late"},
                 "updated_at": datetime.now(timezone.utc).isoformat()},
    ).returning(tables.events.c.position)).scalar_one()
    late.execute(update(tables.users).where(tables.users.c.id == user_id)
                 .values(first_name="Late", version=2))
    for _ in range(3):                       # committed, at higher positions
        register(fresh)

    rebuild = fresh.read_model_rebuild()
    rebuild.page_size, rebuild.workers = 2, workers
    committed_at = []

    def commit_once_passed(_n: int) -> None:
        if not committed_at and rebuild.cursor > position:
            transaction.commit()
            committed_at.append(rebuild.cursor)
    try:
        report = rebuild.run(commit_once_passed)
    finally:
        if transaction.is_active:
            transaction.rollback()
        late.close()

    assert committed_at and committed_at[0] > position, "the cursor passed it uncommitted"
    assert report.caught_up >= 1, "the catch-up found it behind"
    assert_read_models_match(fresh, user_id)
    table_doc = fresh.redis.get(f"me:{user_id}")
    assert b'"first_name":"Late"' in table_doc


def cli(container, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": container.settings.database_url,
           "REDIS_URL": container.settings.redis_url,
           "PATH": f"{os.path.dirname(sys.executable)}:{os.environ['PATH']}"}
    return subprocess.run(["movienexus", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def poison_events(container) -> list[Envelope]:
    """One that fails in Python (no email), one the database refuses (an IP too long
    for its column: the bulk save fails and the chunk goes event by event)."""
    rows = [dict(event_type="UserRegistered", aggregate_type="user",
                 aggregate_id=str(uuid.uuid4()), payload={"first_name": "Poison"}),
            dict(event_type="SessionStarted", aggregate_type="session",
                 aggregate_id=str(uuid.uuid4()),
                 payload={"user_id": str(uuid.uuid4()), "ip": "9" * 300, "user_agent": "x",
                          "started_at": datetime.now(timezone.utc).isoformat()})]
    with container.engine.begin() as conn:
        for row in rows:
            conn.execute(insert(tables.events).values(
                event_id=str(uuid.uuid4()), event_version=1, aggregate_version=1, **row))
    return [envelopes_of(container, row["aggregate_id"])[0] for row in rows]


def test_a_poison_event_refuses_the_swap_and_leaves_the_live_tables_as_they_were(fresh):
    healthy = register(fresh)
    rename(fresh, healthy, 3)
    project_log(fresh)
    poison = poison_events(fresh)
    behind_it = register(fresh)                  # a later event, rebuilt but not swapped
    with fresh.engine.begin() as conn:           # damage the rebuild would repair
        conn.execute(text("UPDATE read_users SET doc = doc || '{\"first_name\": \"X\"}' "
                          "WHERE user_id = :id"), {"id": healthy})
    before = read_tables(fresh)
    try:
        with pytest.raises(RebuildRefused) as refused:
            fresh.read_model_rebuild().run()
        assert {h.aggregate_id for h in refused.value.held} == {p.aggregate_id
                                                              for p in poison}
        message = str(refused.value)
        assert "KeyError" in message and "not dead-lettered" in message
        assert "StringDataRightTruncation" in message     # found row by row
        assert read_tables(fresh) == before, "the live tables are untouched"
        with fresh.engine.connect() as conn:
            schemas = set(conn.execute(text("SELECT nspname FROM pg_namespace")).scalars())
        assert "rebuild" not in schemas

        from_cli = cli(fresh, "read-models", "rebuild")
        assert from_cli.returncode == 1
        assert "refused" in from_cli.stderr and poison[0].aggregate_id in from_cli.stderr

        for envelope in poison:               # what the live workers did with them
            dead_letters.record(fresh.engine, "projections", envelope, "KeyError", 4)
        accepted = cli(fresh, "read-models", "rebuild", "--accept-dead-letters")
        assert accepted.returncode == 0, accepted.stderr
        assert "accepted (dead-lettered)" in accepted.stdout
        assert_read_models_match(fresh, healthy)     # swapped in: the damage repaired
        assert_read_models_match(fresh, behind_it)
        with fresh.engine.connect() as conn:
            assert conn.execute(select(read_users.c.user_id).where(
                read_users.c.user_id == poison[0].aggregate_id)).first() is None
    finally:
        with fresh.engine.begin() as conn:
            conn.execute(delete(tables.events).where(tables.events.c.event_id.in_(
                [p.event_id for p in poison])))


def test_an_event_repaired_and_replayed_from_the_dead_letters_is_rebuilt_as_replayed(fresh):
    """The operator fixed the dead letter's envelope and replayed it: the live models
    hold the fix, the log still the broken event. The rebuild applies the fix too."""
    user_id, now = str(uuid.uuid4()), datetime.now(timezone.utc).isoformat()
    with fresh.engine.begin() as conn:
        for version, event_type, payload in (
                (1, "UserRegistered", {"first_name": "Broken"}),
                (2, "ProfileUpdated", {"changes": {"last_name": "After"}, "updated_at": now})):
            conn.execute(insert(tables.events).values(
                event_id=str(uuid.uuid4()), event_type=event_type, event_version=1,
                aggregate_type="user", aggregate_id=user_id, aggregate_version=version,
                payload=payload))
    broken = envelopes_of(fresh, user_id)[0]
    letter = dead_letters.record(fresh.engine, "projections", broken, "KeyError: 'email'", 4)
    fixed = {**broken.to_dict(), "payload": {
        "email": f"fixed-{user_id[:8]}@example.com", "first_name": "Fixed", "last_name": "",
        "role": "user", "created_at": now, "profile": {}}}
    with fresh.engine.begin() as conn:
        conn.execute(update(dead_letters_table).where(dead_letters_table.c.id == letter)
                     .values(envelope=fixed, replayed_at=datetime.now(timezone.utc)))
    try:
        report = fresh.read_model_rebuild().run()

        assert report.replayed == 1 and not report.accepted
        with fresh.engine.connect() as conn:
            row = conn.execute(select(read_users.c.doc, read_users.c.version).where(
                read_users.c.user_id == user_id)).one()
        assert row.version == 2
        assert (row.doc["email"], row.doc["first_name"], row.doc["last_name"]) == (
            f"fixed-{user_id[:8]}@example.com", "Fixed", "After")
    finally:
        with fresh.engine.begin() as conn:
            conn.execute(delete(tables.events).where(tables.events.c.aggregate_id == user_id))
