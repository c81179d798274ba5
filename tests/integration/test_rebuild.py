"""Rebuilding the read models from the event log repairs them, in fresh tables."""
from sqlalchemy import delete, text, update

from read_models.tables import read_sessions, read_users
from tests.support.accounts import assert_read_models_match, envelopes_of, register, rename


def project(container, user_id) -> None:
    for envelope in envelopes_of(container, user_id):
        container.projection_runner.apply(envelope)


def test_a_rebuild_repairs_damaged_read_models_and_keeps_the_schema(isolated):
    damaged, removed = register(isolated), register(isolated)
    for user_id in (damaged, removed):
        rename(isolated, user_id, 1)
        project(isolated, user_id)
    with isolated.engine.begin() as conn:
        conn.execute(update(read_users).where(read_users.c.user_id == damaged)
                     .values(doc={"id": damaged, "email": "wrong"}))
        conn.execute(delete(read_users).where(read_users.c.user_id == removed))
        conn.execute(delete(read_sessions))
    isolated.redis.delete(f"me:{removed}", f"me:{removed}:v")

    rebuild = isolated.read_model_rebuild()
    in_log, seen = rebuild.events_to_replay(), []
    position = rebuild.run(seen.append)

    assert position >= envelopes_of(isolated, removed)[-1].position
    assert sum(seen) >= in_log, "every event of the log was replayed"
    for user_id in (damaged, removed):
        assert_read_models_match(isolated, user_id)
    with isolated.engine.connect() as conn:
        indexes = set(conn.execute(text(
            "SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")).scalars())
        schemas = set(conn.execute(text(
            "SELECT nspname FROM pg_namespace")).scalars())
    assert {"pk_read_users", "ix_read_sessions_user_id"} <= indexes
    assert not {"rebuild", "retired"} & schemas
