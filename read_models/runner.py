"""Applies one event to every projection that follows its aggregate, in order."""
from __future__ import annotations

import time

from adapters.messaging.envelope import Envelope
from read_models.framework import Outcome, Projection
from read_models.redis_docs import RedisDocuments


def applied_key(aggregate_type: str, aggregate_id: str) -> str:
    return f"applied:{aggregate_type}:{aggregate_id}"


LAST_POSITION_KEY = "applied:last-position"


class ProjectionRunner:
    """An event counts as applied once every projection has it; then its aggregate's
    `applied:` marker moves up, which is what consistency-token reads wait for."""

    def __init__(self, projections: list[Projection], documents: RedisDocuments):
        self.projections = projections
        self.documents = documents

    def apply_patiently(self, envelope: Envelope, patience: float = 0.5) -> Outcome:
        """An early event's predecessor is most often being applied by another worker
        right now: wait for it here (a few ms) before asking the broker for a retry."""
        deadline, pause = time.monotonic() + patience, 0.002
        while (outcome := self.apply(envelope)) is Outcome.EARLY:
            if time.monotonic() >= deadline:
                break
            time.sleep(pause)
            pause = min(pause * 2, 0.05)
        return outcome

    def apply(self, envelope: Envelope) -> Outcome:
        applied_any = False
        for projection in self.projections:
            if not projection.follows_event(envelope):
                continue
            outcome = projection.apply(envelope)
            if outcome is Outcome.EARLY:
                return Outcome.EARLY
            applied_any |= outcome is Outcome.APPLIED
        self.documents.raise_to({
            applied_key(envelope.aggregate_type, envelope.aggregate_id):
                envelope.aggregate_version,
            LAST_POSITION_KEY: envelope.position})
        return Outcome.APPLIED if applied_any else Outcome.DUPLICATE
