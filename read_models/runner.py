"""Applies one event to every projection that follows its aggregate, in order."""
from __future__ import annotations

from read_models.envelope import Envelope
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

    def apply(self, envelope: Envelope) -> Outcome:
        applied_any = False
        for projection in self.projections:
            if not projection.follows_event(envelope):
                continue
            outcome = projection.apply(envelope)
            if outcome is Outcome.EARLY:
                return Outcome.EARLY
            applied_any |= outcome is Outcome.APPLIED
        self.documents.raise_to(
            applied_key(envelope.aggregate_type, envelope.aggregate_id),
            envelope.aggregate_version)
        self.documents.raise_to(LAST_POSITION_KEY, envelope.position)
        return Outcome.APPLIED if applied_any else Outcome.DUPLICATE
