"""The event envelope as it travels from the outbox to the workers."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Mapping


@dataclass(frozen=True)
class Envelope:
    event_id: str
    event_type: str
    event_version: int
    aggregate_type: str
    aggregate_id: str
    aggregate_version: int
    position: int
    occurred_at: str
    payload: dict[str, Any]
    correlation_id: str | None = None
    causation_id: str | None = None
    actor_id: str | None = None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> "Envelope":
        occurred = row["occurred_at"]
        return cls(
            event_id=str(row["event_id"]), event_type=row["event_type"],
            event_version=row["event_version"], aggregate_type=row["aggregate_type"],
            aggregate_id=str(row["aggregate_id"]), aggregate_version=row["aggregate_version"],
            position=row["position"],
            occurred_at=occurred.isoformat() if isinstance(occurred, datetime) else occurred,
            payload=row["payload"], correlation_id=row["correlation_id"],
            causation_id=row["causation_id"], actor_id=row["actor_id"])

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Envelope":
        return cls(**{name: data.get(name) for name in cls.__dataclass_fields__})

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
