"""Projections are idempotent and ordered per aggregate, whatever the delivery order."""
import random

from domain.accounts import commands
from read_models.projections.framework import Outcome
from tests.support.accounts import (assert_read_models_match, envelopes_of, register,
                                    rename)


def user_with_history(container, renames: int = 4) -> str:
    user_id = register(container)
    for n in range(renames):
        rename(container, user_id, n)
    return user_id


def deliver_until_applied(runner, envelopes):
    """Like the broker, in whatever order: no event ever needs to come back."""
    for event in envelopes:
        assert runner.apply(event) in (Outcome.APPLIED, Outcome.REPAIRED, Outcome.DUPLICATE)


def test_every_event_delivered_twice_leaves_the_read_models_as_once(isolated):
    user_id = user_with_history(isolated)
    events = envelopes_of(isolated, user_id)
    outcomes = [isolated.projection_runner.apply(e) for e in events]
    assert_read_models_match(isolated, user_id)
    repeats = [isolated.projection_runner.apply(e) for e in events]
    assert set(outcomes) == {Outcome.APPLIED}
    assert set(repeats) == {Outcome.DUPLICATE}
    assert_read_models_match(isolated, user_id)


def test_events_in_reverse_order_end_right_on_the_first_delivery(isolated):
    user_id = user_with_history(isolated, renames=5)
    isolated.handle(commands.RequestPasswordReset(
        email=envelopes_of(isolated, user_id)[0].payload["email"]))
    events = envelopes_of(isolated, user_id)
    first_try = isolated.projection_runner.apply(events[-1])
    assert first_try is Outcome.REPAIRED         # its predecessors came from the log
    assert_read_models_match(isolated, user_id)
    deliver_until_applied(isolated.projection_runner, reversed(events))
    assert_read_models_match(isolated, user_id)


def test_only_the_last_event_delivered_brings_every_model_up_to_date(isolated):
    """The broker lost every message but the last: the log has the rest."""
    user_id = user_with_history(isolated, renames=8)
    events = envelopes_of(isolated, user_id)
    assert isolated.projection_runner.apply(events[-1]) is Outcome.REPAIRED
    assert_read_models_match(isolated, user_id)


def test_shuffled_and_duplicated_deliveries_converge(isolated):
    user_id = user_with_history(isolated, renames=6)
    events = envelopes_of(isolated, user_id) * 3
    random.Random(7).shuffle(events)
    deliver_until_applied(isolated.projection_runner, events)
    assert_read_models_match(isolated, user_id)


def test_a_redis_document_is_refilled_after_it_is_lost(isolated):
    user_id = user_with_history(isolated, renames=1)
    events = envelopes_of(isolated, user_id)
    deliver_until_applied(isolated.projection_runner, events)
    isolated.redis.delete(f"me:{user_id}", f"me:{user_id}:v")
    isolated.projection_runner.apply(events[-1])  # a redelivery rewrites the cache
    assert_read_models_match(isolated, user_id)
