"""Applies a batch of events in position order and sorts out what must come back.

An aggregate whose event fails or arrived early is blocked for the rest of the
batch: its later events wait with it, so order per aggregate holds, while every
other aggregate in the batch goes on."""
from __future__ import annotations

from dataclasses import dataclass, field

from adapters.messaging.envelope import Envelope
from read_models.framework import Outcome
from read_models.runner import ProjectionRunner


@dataclass
class BatchResult:
    applied: int = 0
    waiting: list[Envelope] = field(default_factory=list)
    failed: dict[str, Exception] = field(default_factory=dict)
    transient: bool = False


def apply_batch(runner: ProjectionRunner, envelopes: list[Envelope],
                transient_errors: tuple[type[Exception], ...]) -> BatchResult:
    result, blocked = BatchResult(), set()
    for envelope in sorted(envelopes, key=lambda e: e.position):
        if envelope.aggregate_id in blocked:
            result.waiting.append(envelope)
            continue
        try:
            outcome = runner.apply_patiently(envelope, patience=0.2)
        except transient_errors:
            result.transient = True
            outcome = Outcome.EARLY
        except Exception as exc:  # noqa: BLE001 (recorded; retried, then dead-lettered)
            result.failed[envelope.event_id] = exc
            outcome = Outcome.EARLY
        if outcome is Outcome.EARLY:
            blocked.add(envelope.aggregate_id)
            result.waiting.append(envelope)
        else:
            result.applied += 1
    return result
