"""Applies events to every projection that follows their aggregate: a batch in one
transaction (read_models.projections.live_batch), then, once, what goes to Redis."""
from __future__ import annotations

from sqlalchemy import Engine, text

from adapters.messaging.envelope import Envelope
from adapters.messaging.event_log import envelopes_between, latest_envelope
from read_models.projections.framework import Outcome, Projection
from read_models.projections.live_batch import BatchApplied, LiveBatch
from read_models.stores.activity import LastActivities
from read_models.stores.markers import LAST_POSITION_KEY, applied_key
from read_models.stores.redis_docs import RedisDocuments, run_scripts

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
                 engine: Engine, activity: LastActivities | None = None):
        self.projections = projections
        self.documents = documents
        self.engine = engine
        self.activity = activity
        self._followers: dict[str, list[Projection]] = {}

    def followers(self, envelope: Envelope) -> list[Projection]:
        kind = envelope.aggregate_type
        if kind not in self._followers:
            self._followers[kind] = [p for p in self.projections if p.follows_event(envelope)]
        return self._followers[kind]

    def apply_batch(self, envelopes: list[Envelope]) -> BatchApplied:
        """The events (each once, in position order) in one transaction. An event that
        fails to apply holds its aggregate back (`failed`, `waiting`); anything else
        that fails raises, with nothing applied."""
        events = sorted({e.event_id: e for e in envelopes}.values(), key=lambda e: e.position)
        batch = LiveBatch(self.projections, self.followers, events)
        with self.engine.begin() as conn:
            batch.run(conn)
        applied = batch.sort_out()
        batch.after_commit()
        self._mark([e for e in events if e.event_id in applied.outcomes])
        return applied

    def apply(self, envelope: Envelope) -> Outcome:
        """One event; raises what stopped it."""
        applied = self.apply_batch([envelope])
        if envelope.event_id in applied.failed:
            raise applied.failed[envelope.event_id]
        return applied.outcomes[envelope.event_id]

    def _mark(self, events: list[Envelope]) -> None:
        """The `applied:` markers and the people's last activities, in one round trip."""
        if not events:
            return
        markers: dict[str, int] = {LAST_POSITION_KEY: max(e.position for e in events)}
        for e in events:
            key = applied_key(e.aggregate_type, e.aggregate_id)
            markers[key] = max(markers.get(key, 0), e.aggregate_version)
        calls = [self.documents.raising(markers)]
        if self.activity is not None:
            calls += self.activity.touches(events)
        run_scripts(self.documents.redis, calls)

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
