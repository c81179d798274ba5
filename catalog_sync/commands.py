"""The catalog's commands as a sync uses them, each answering what it changed.

`ImportMovie` answers imported (a new movie), updated (events written) or unchanged
(no event). A movie the domain refuses is an error of that movie only; a write that
lost a race with another writer to the same movie is tried again on fresh state.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from domain.errors import ConcurrencyConflict, DomainError
from domain.ports import MessageContext

if TYPE_CHECKING:
    from movienexus.bootstrap import Container

log = logging.getLogger("catalog_sync")
CONFLICT_RETRIES = 3
# Bad data in one movie (a domain rule, a missing or malformed field) spoils that movie only.
MOVIE_ERRORS = (DomainError, ValueError, KeyError, TypeError)


def import_movie(container: Container, data: dict, complete: bool,
                 context: MessageContext | None = None) -> str:
    """Runs ImportMovie; returns "imported", "updated", "unchanged" or "errors"."""
    from domain.catalog.commands import ImportMovie
    try:
        outcome = _handle(container, ImportMovie(data=data, complete=complete), context)
    except MOVIE_ERRORS as exc:
        log.warning("movie %s not imported: %r", data.get("id"), exc)
        return "errors"
    written = outcome.commit.event_count
    if written == 0:
        return "unchanged"
    change = "imported" if getattr(outcome.value, "version", written) == written else "updated"
    log.info("%s movie %s %r (%d event(s))", change, data.get("id"), data.get("title"), written)
    return change


def delist_movie(container: Container, tmdb_id: int, reason: str,
                 context: MessageContext | None = None) -> str:
    from domain.catalog.commands import DelistMovie
    try:
        outcome = _handle(container, DelistMovie(tmdb_id=tmdb_id, reason=reason), context)
    except MOVIE_ERRORS as exc:
        log.warning("movie %s not delisted: %r", tmdb_id, exc)
        return "errors"
    if outcome.commit.event_count == 0:
        return "unchanged"
    log.info("delisted movie %s: %s", tmdb_id, reason)
    return "delisted"


def refresh_list(container: Container, name: str, tmdb_ids: list[int],
                 context: MessageContext | None = None) -> bool:
    """Replaces a curated list's order; True when it changed."""
    from domain.catalog.commands import RefreshList
    outcome = _handle(container, RefreshList(name=name, tmdb_ids=tmdb_ids), context)
    if outcome.commit.event_count:
        log.info("list %s refreshed: %d movies", name, len(tmdb_ids))
    return outcome.commit.event_count > 0


def refresh_relations(container: Container, tmdb_id: int, kind: str, tmdb_ids: list[int],
                      context: MessageContext | None = None) -> str:
    """Stores a movie's related movies; returns "updated", "unchanged" or "errors"."""
    from domain.catalog.commands import RefreshRelations
    command = RefreshRelations(tmdb_id=tmdb_id, kind=kind, tmdb_ids=tmdb_ids)
    try:
        outcome = _handle(container, command, context)
    except MOVIE_ERRORS as exc:
        log.warning("%s of movie %s not stored: %r", kind, tmdb_id, exc)
        return "errors"
    if outcome.commit.event_count == 0:
        return "unchanged"
    log.info("%s of movie %s refreshed: %d movies", kind, tmdb_id, len(tmdb_ids))
    return "updated"


def sync_genres(container: Container, genres: list[dict],
                context: MessageContext | None = None) -> bool:
    from domain.catalog.commands import SyncGenres
    outcome = _handle(container, SyncGenres(genres=genres), context)
    if outcome.commit.event_count:
        log.info("genres changed: %d genres", len(genres))
    return outcome.commit.event_count > 0


def _handle(container: Container, command: object, context: MessageContext | None) -> Any:
    for attempt in range(CONFLICT_RETRIES):
        try:
            return container.handle(command, context)
        except ConcurrencyConflict:
            if attempt == CONFLICT_RETRIES - 1:
                raise
    raise AssertionError("unreachable")
