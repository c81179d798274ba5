"""Batch application: an aggregate that cannot go on holds its later events back,
every other aggregate in the batch goes on."""
from adapters.messaging.envelope import Envelope
from read_models.framework import Outcome, gate
from workers.batches import apply_batch


class VersionTrackingRunner:
    """An in-memory stand-in for the projection runner: the real version gate."""

    def __init__(self, poison: set[str] = frozenset()):
        self.applied: dict[str, int] = {}
        self.poison = poison

    def apply_patiently(self, envelope: Envelope, patience: float = 0) -> Outcome:
        if envelope.event_id in self.poison:
            raise ValueError("cannot read payload")
        outcome = gate(self.applied.get(envelope.aggregate_id, 0), envelope.aggregate_version)
        if outcome is Outcome.APPLIED:
            self.applied[envelope.aggregate_id] = envelope.aggregate_version
        return outcome


def event(aggregate: str, version: int, position: int) -> Envelope:
    return Envelope(event_id=f"{aggregate}{version}", event_type="X", event_version=1,
                    aggregate_type="user", aggregate_id=aggregate, aggregate_version=version,
                    position=position, occurred_at="", payload={})


def test_a_batch_is_applied_in_position_order():
    runner = VersionTrackingRunner()
    result = apply_batch(runner, [event("a", 2, 2), event("a", 1, 1), event("b", 1, 3)], ())
    assert result.applied == 3 and runner.applied == {"a": 2, "b": 1}


def test_an_early_event_holds_back_its_aggregate_only():
    runner = VersionTrackingRunner()
    result = apply_batch(runner, [event("a", 2, 5), event("a", 3, 6), event("b", 1, 7)], ())
    assert [e.event_id for e in result.waiting] == ["a2", "a3"]
    assert runner.applied == {"b": 1}


def test_a_failing_event_is_recorded_and_its_successors_wait():
    runner = VersionTrackingRunner(poison={"a1"})
    result = apply_batch(runner, [event("a", 1, 1), event("a", 2, 2), event("b", 1, 3)], ())
    assert list(result.failed) == ["a1"]
    assert [e.event_id for e in result.waiting] == ["a1", "a2"]
    assert runner.applied == {"b": 1}


def test_a_transient_error_marks_the_batch_for_a_patient_retry():
    class Down(Exception):
        pass

    class FlakyRunner(VersionTrackingRunner):
        def apply_patiently(self, envelope, patience=0):
            raise Down()

    result = apply_batch(FlakyRunner(), [event("a", 1, 1)], (Down,))
    assert result.transient and not result.failed and len(result.waiting) == 1
