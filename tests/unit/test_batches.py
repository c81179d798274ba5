"""Batch application: a gap is no reason to wait (the runner repairs it from the log);
an aggregate whose event fails holds its later events back, every other aggregate in
the batch goes on; a store that is down sends the whole rest of the batch back."""
from adapters.messaging.envelope import Envelope
from read_models.projections.framework import Outcome, gate
from read_models.projections.live_batch import BatchApplied
from workers.batches import apply_batch


class VersionTrackingRunner:
    """An in-memory stand-in for the projection runner: the real version gate, and a
    gap "repaired" the way the projections do it (from a log it trusts)."""

    def __init__(self, poison: set[str] = frozenset()):
        self.applied: dict[str, int] = {}
        self.poison = poison

    def apply(self, envelope: Envelope) -> Outcome:
        if envelope.event_id in self.poison:
            raise ValueError("cannot read payload")
        outcome = gate(self.applied.get(envelope.aggregate_id, 0), envelope.aggregate_version)
        if outcome is not Outcome.DUPLICATE:
            self.applied[envelope.aggregate_id] = envelope.aggregate_version
        return Outcome.REPAIRED if outcome is Outcome.EARLY else outcome

    def apply_batch(self, envelopes: list[Envelope]) -> BatchApplied:
        """As the real one: each aggregate stops at its first failing event."""
        done, blocked = BatchApplied(), set()
        for envelope in envelopes:
            if envelope.aggregate_id in blocked:
                done.waiting.append(envelope)
                continue
            try:
                done.outcomes[envelope.event_id] = self.apply(envelope)
            except ValueError as exc:
                done.failed[envelope.event_id] = exc
                done.waiting.append(envelope)
                blocked.add(envelope.aggregate_id)
        return done


def no_outage(_exc: BaseException) -> bool:
    return False

def event(aggregate: str, version: int, position: int) -> Envelope:
    return Envelope(event_id=f"{aggregate}{version}", event_type="X", event_version=1,
                    aggregate_type="user", aggregate_id=aggregate, aggregate_version=version,
                    position=position, occurred_at="", payload={})


def test_a_batch_is_applied_in_position_order():
    runner = VersionTrackingRunner()
    result = apply_batch(runner, [event("a", 2, 2), event("a", 1, 1), event("b", 1, 3)], no_outage)
    assert result.applied == 3 and runner.applied == {"a": 2, "b": 1}


def test_an_event_after_a_gap_is_applied_at_once():
    runner = VersionTrackingRunner()
    result = apply_batch(runner, [event("a", 2, 5), event("a", 3, 6), event("b", 1, 7)], no_outage)
    assert not result.waiting and result.repaired == 1
    assert runner.applied == {"a": 3, "b": 1}


def test_a_failing_event_is_recorded_and_its_successors_wait():
    runner = VersionTrackingRunner(poison={"a1"})
    result = apply_batch(runner, [event("a", 1, 1), event("a", 2, 2), event("b", 1, 3)], no_outage)
    assert list(result.failed) == ["a1"]
    assert [e.event_id for e in result.waiting] == ["a1", "a2"]
    assert runner.applied == {"b": 1}


def test_a_transient_error_marks_the_batch_for_a_patient_retry():
    class Down(Exception):
        pass

    class FlakyRunner(VersionTrackingRunner):
        def apply(self, envelope):
            raise Down()

        def apply_batch(self, envelopes):
            raise Down()

    result = apply_batch(FlakyRunner(), [event("a", 1, 1), event("b", 1, 2)],
                         lambda exc: isinstance(exc, Down))
    assert isinstance(result.transient, Down) and not result.failed and len(result.waiting) == 2


def test_a_batch_the_database_refuses_is_applied_again_one_event_at_a_time():
    class Refused(Exception):
        pass

    class RefusingRunner(VersionTrackingRunner):
        def apply_batch(self, envelopes):
            raise Refused("a row the database refused")

    runner = RefusingRunner(poison={"a2"})
    result = apply_batch(runner, [event("a", 1, 1), event("a", 2, 2), event("a", 3, 3),
                                  event("b", 1, 4)], no_outage)
    assert list(result.failed) == ["a2"] and result.applied == 2
    assert [e.event_id for e in result.waiting] == ["a2", "a3"]
    assert runner.applied == {"a": 1, "b": 1}
