"""Applies one event to every projection that follows its aggregate, in order."""
from __future__ import annotations

from sqlalchemy import Engine, text

from adapters.messaging.envelope import Envelope
from adapters.messaging.event_log import envelopes_between, latest_envelope
from read_models.projections.framework import Outcome, Projection
from read_models.stores.activity import LastActivities
from read_models.stores.markers import LAST_POSITION_KEY, applied_key
from read_models.stores.redis_docs import RedisDocuments

_LOWEST_CHECKPOINT = text("""
    SELECT coalesce(min(coalesce(c.version, 0)), 0)
    FROM unnest(CAST(:projections AS text[])) AS p(name)
    LEFT JOIN projection_checkpoints c
           ON c.projection = p.name AND c.aggregate_id = :aggregate_id
""")


class ProjectionRunner:
    """An event counts as applied once every projection has it; then its aggregate's
    `applied:` marker moves up, which is what read-your-writes waits for."""

    def __init__(self, projections: list[Projection], documents: RedisDocuments,
                 engine: Engine | None = None, activity: LastActivities | None = None):
        self.projections = projections
        self.documents = documents
        self.engine = engine
        self.activity = activity

    def apply(self, envelope: Envelope) -> Outcome:
        outcomes = {projection.apply(envelope) for projection in self.projections
                    if projection.follows_event(envelope)}
        self.documents.raise_to({
            applied_key(envelope.aggregate_type, envelope.aggregate_id):
                envelope.aggregate_version,
            LAST_POSITION_KEY: envelope.position})
        if self.activity is not None:
            self.activity.touch(envelope)
        for outcome in (Outcome.REPAIRED, Outcome.APPLIED):
            if outcome in outcomes:
                return outcome
        return Outcome.DUPLICATE

    def catch_up(self, aggregate_type: str, aggregate_id: str) -> Outcome:
        """Brings every projection of this aggregate up to the log's last version
        (the sweeper's and a waiting read's repair; a no-op when all are current)."""
        with self.engine.connect() as conn:
            latest = latest_envelope(conn, aggregate_type, aggregate_id)
        return self.apply(latest) if latest else Outcome.DUPLICATE

    def first_unapplied(self, aggregate_type: str, aggregate_id: str) -> Envelope | None:
        """The aggregate's first event some projection has not applied (what a failed
        catch-up stopped at); None when every projection is up to date."""
        names = [p.name for p in self.projections if aggregate_type in p.follows]
        with self.engine.connect() as conn:
            applied = conn.execute(_LOWEST_CHECKPOINT, {
                "projections": names, "aggregate_id": aggregate_id}).scalar_one()
            found = envelopes_between(conn, aggregate_type, aggregate_id, applied, applied + 2)
        return found[0] if found else None
