"""What the syncs, the CLI and the API ask of the catalog."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ImportMovie:
    """`data` is TMDb's movie JSON: a list item or a /movie/{id} detail; `complete`
    says it is a full detail."""

    data: dict[str, Any]
    complete: bool = False


@dataclass(frozen=True)
class DelistMovie:
    tmdb_id: int
    reason: str = "removed from TMDb"


@dataclass(frozen=True)
class RefreshRelations:
    tmdb_id: int
    kind: str  # "recommendations" | "similar"
    tmdb_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class SyncGenres:
    genres: list[dict[str, Any]]  # [{id, name}]


@dataclass(frozen=True)
class RefreshList:
    name: str  # popular, top_rated, now_playing, upcoming, trending_day, trending_week
    tmdb_ids: list[int] = field(default_factory=list)
