"""Applies a batch of events in position order and sorts out what must come back.

A gap never holds an event back (the projections read missing events from the log).
An aggregate whose event fails is blocked for the rest of the batch: its later
events wait with it, so order per aggregate holds, while every other aggregate in
the batch goes on. A store that is unreachable stops the batch: all of it comes back."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from adapters.messaging.envelope import Envelope
from read_models.projections.framework import Outcome
from read_models.projections.runner import ProjectionRunner


@dataclass
class BatchResult:
    applied: int = 0
    repaired: int = 0
    waiting: list[Envelope] = field(default_factory=list)
    failed: dict[str, Exception] = field(default_factory=dict)
    transient: Exception | None = None


def apply_batch(runner: ProjectionRunner, envelopes: list[Envelope],
                is_outage: Callable[[BaseException], bool]) -> BatchResult:
    result, blocked = BatchResult(), set()
    for envelope in sorted(envelopes, key=lambda e: e.position):
        if result.transient or envelope.aggregate_id in blocked:
            result.waiting.append(envelope)
            continue
        try:
            outcome = runner.apply(envelope)
        except Exception as exc:  # noqa: BLE001 (an outage waits; anything else is
            if is_outage(exc):    # retried, then dead-lettered)
                result.transient = exc
                result.waiting.append(envelope)
                continue
            result.failed[envelope.event_id] = exc
            blocked.add(envelope.aggregate_id)
            result.waiting.append(envelope)
            continue
        result.applied += outcome is not Outcome.DUPLICATE
        result.repaired += outcome is Outcome.REPAIRED
    return result
