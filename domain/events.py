"""The base of every domain event, and the registry that decodes them by name."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar

_REGISTRY: dict[str, type["DomainEvent"]] = {}


@dataclass(frozen=True)
class DomainEvent:
    """A fact, named in the past tense. Fields are the payload; ids and versions
    live in the envelope the unit of work writes around it."""

    aggregate_type: ClassVar[str] = ""
    schema_version: ClassVar[int] = 1

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _REGISTRY[cls.__name__] = cls

    @classmethod
    def event_type(cls) -> str:
        return cls.__name__

    def payload(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def event_class(event_type: str) -> type[DomainEvent]:
    return _REGISTRY[event_type]


def known_event_types() -> list[str]:
    return sorted(_REGISTRY)
