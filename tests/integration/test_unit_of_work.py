"""The unit of work: state and events commit together, or neither does."""
import threading
import uuid

import pytest
from sqlalchemy import func, insert, select

from adapters.db import tables
from domain.accounts import commands
from domain.accounts.model import User
from domain.errors import ConcurrencyConflict, Conflict
from domain.ports import MessageContext
from tests.support.accounts import PASSWORD, envelopes_of, register
from tests.support.util import unique_email


def count(container, table, **where) -> int:
    criteria = [table.c[name] == value for name, value in where.items()]
    with container.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table).where(*criteria)).scalar()


def test_a_commit_that_fails_after_the_state_change_writes_neither(isolated):
    user_id = str(uuid.uuid4())
    with isolated.engine.begin() as conn:  # a row that makes the event insert collide
        conn.execute(insert(tables.events).values(
            event_id=str(uuid.uuid4()), event_type="Squatter", event_version=1,
            aggregate_type="user", aggregate_id=user_id, aggregate_version=1, payload={}))
    user = User.register(user_id, unique_email(), "hash", "", "", isolated.clock.now())
    with pytest.raises(ConcurrencyConflict):
        with isolated.unit_of_work() as uow:
            uow.users.add(user)
            uow.commit()
    assert count(isolated, tables.users, id=user_id) == 0
    assert count(isolated, tables.events, aggregate_id=user_id, event_type="UserRegistered") == 0


def test_an_error_before_commit_writes_nothing(isolated):
    email = unique_email()
    with pytest.raises(RuntimeError):
        with isolated.unit_of_work() as uow:
            uow.users.add(User.register(str(uuid.uuid4()), email, "h", "", "",
                                        isolated.clock.now()))
            raise RuntimeError("boom")
    assert count(isolated, tables.users, email=email) == 0


def test_events_carry_the_envelope_and_consecutive_versions(isolated):
    context = MessageContext(correlation_id="req-123", causation_id="req-123", actor_id="me")
    outcome = isolated.handle(commands.RegisterUser(email=unique_email(), password=PASSWORD),
                              context)
    user_id = outcome.value.id
    isolated.handle(commands.UpdateProfile(user_id=user_id, changes={"first_name": "Zed"}))
    first, second = envelopes_of(isolated, user_id)
    assert (first.aggregate_version, second.aggregate_version) == (1, 2)
    assert second.position > first.position == outcome.commit.last_position
    assert (first.correlation_id, first.actor_id) == ("req-123", "me")
    assert first.payload["email"] == outcome.value.email


def test_concurrent_writes_to_one_aggregate_conflict_instead_of_overwriting(isolated):
    user_id = register(isolated)
    barrier = threading.Barrier(2)
    results = []

    def update(name):
        try:
            with isolated.unit_of_work() as uow:
                user = uow.users.get(user_id)
                user.update_profile({"first_name": name}, isolated.clock.now())
                barrier.wait(timeout=5)
                uow.commit()
                results.append("ok")
        except ConcurrencyConflict:
            results.append("conflict")

    threads = [threading.Thread(target=update, args=(n,)) for n in ("Ann", "Bob")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["conflict", "ok"]
    assert [e.aggregate_version for e in envelopes_of(isolated, user_id)] == [1, 2]


def test_the_same_email_cannot_register_twice(isolated):
    email = unique_email()
    register(isolated, email)
    with pytest.raises(Conflict):
        register(isolated, email.upper())
