"""Applies a batch of events and sorts out what must come back.

The batch goes through the projections in one transaction (ProjectionRunner.
apply_batch). A gap never holds an event back (the projections read missing events
from the log). An aggregate whose event fails is blocked for the rest of the batch:
its later events wait with it, so order per aggregate holds, while every other
aggregate in the batch goes on. A store that is unreachable stops the batch: all of
it comes back. Anything else that fails the batch's transaction (the database
refusing a row, say) is sorted out by applying the batch again one event at a time,
so only the aggregate at fault is held back."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Callable

from adapters.messaging.envelope import Envelope
from read_models.projections.framework import Outcome
from read_models.projections.runner import ProjectionRunner

log = logging.getLogger(__name__)


@dataclass
class BatchResult:
    applied: int = 0
    repaired: int = 0
    waiting: list[Envelope] = field(default_factory=list)
    failed: dict[str, Exception] = field(default_factory=dict)
    transient: Exception | None = None

    def count(self, outcome: Outcome) -> None:
        self.applied += outcome is not Outcome.DUPLICATE
        self.repaired += outcome is Outcome.REPAIRED


def apply_batch(runner: ProjectionRunner, envelopes: list[Envelope],
                is_outage: Callable[[BaseException], bool]) -> BatchResult:
    ordered = sorted(envelopes, key=lambda e: e.position)
    try:
        applied = runner.apply_batch(ordered)
    except Exception as exc:  # noqa: BLE001 (an outage waits; anything else: one by one)
        if is_outage(exc):
            return BatchResult(waiting=ordered, transient=exc)
        log.warning("a batch of %d events failed as a whole (%s: %s); applying it one "
                    "event at a time", len(ordered), type(exc).__name__, exc)
        return one_by_one(runner, ordered, is_outage)
    result = BatchResult(waiting=applied.waiting, failed=applied.failed)
    for outcome in applied.outcomes.values():
        result.count(outcome)
    return result


def one_by_one(runner: ProjectionRunner, ordered: list[Envelope],
               is_outage: Callable[[BaseException], bool]) -> BatchResult:
    result, blocked = BatchResult(), set()
    for envelope in ordered:
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
        result.count(outcome)
    return result
