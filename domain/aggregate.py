"""The aggregate base: a consistency boundary that records what happened to it."""
from __future__ import annotations

from dataclasses import dataclass, field

from domain.events import DomainEvent


@dataclass(eq=False)
class Aggregate:
    """`version` counts the events committed so far (0 for a new aggregate).

    Each recorded event takes the next version; the unit of work writes them with
    `unique(aggregate_type, aggregate_id, aggregate_version)`, so two writers that
    loaded the same version cannot both commit.
    """

    id: str
    version: int = field(default=0, kw_only=True)
    pending_events: list[DomainEvent] = field(default_factory=list, kw_only=True, repr=False)
    changed: bool = field(default=False, kw_only=True, repr=False)

    aggregate_type = ""

    def record(self, event: DomainEvent) -> None:
        self.pending_events.append(event)
        self.changed = True

    def touch(self) -> None:
        """Mark a state change that carries no event (e.g. a rehashed password)."""
        self.changed = True

    def take_events(self) -> list[DomainEvent]:
        events, self.pending_events = self.pending_events, []
        self.changed = False
        return events
