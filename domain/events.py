"""The base of every domain event."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar

@dataclass(frozen=True)
class DomainEvent:
    """A fact, named in the past tense. Fields are the payload; ids and versions
    live in the envelope the unit of work writes around it."""

    aggregate_type: ClassVar[str] = ""
    schema_version: ClassVar[int] = 1

    @classmethod
    def event_type(cls) -> str:
        return cls.__name__

    def payload(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

