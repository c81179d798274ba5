"""Batch application: a gap is no reason to wait (the runner repairs it from the log);
an aggregate whose event fails holds its later events back, every other aggregate in
the batch goes on; a store that is down sends the whole rest of the batch back."""
from adapters.messaging.envelope import Envelope
from read_models.projections.framework import Outcome, gate
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

    result = apply_batch(FlakyRunner(), [event("a", 1, 1), event("b", 1, 2)],
                         lambda exc: isinstance(exc, Down))
    assert isinstance(result.transient, Down) and not result.failed and len(result.waiting) == 2
