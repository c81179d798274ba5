"""On-demand imports: a movie or a search TMDb knows and the catalog does not yet.

The import is a command like any other (events, outbox, relay, projections); its
events are also projected right here, so the answer can come from the read models at
once. The workers' later delivery is then a duplicate, which the version gate skips.
"""
from __future__ import annotations

import logging

from redis.exceptions import RedisError

from adapters.db.event_log import envelopes_of_aggregate
from adapters.tmdb import TmdbError, TmdbNotFound
from api.commands import run
from api.context import container
from domain.catalog.commands import ImportMovie
from read_models import catalog_queries
from read_models.catalog_queries import Detail

log = logging.getLogger(__name__)

SEARCH_ASKED_SECONDS = 3600
DETAIL_ASKED_SECONDS = 600


def stored_detail(tmdb_id: int) -> Detail | None:
    """The movie's detail, as a person opening or favoriting it should see it: imported
    from TMDb when the catalog does not have it, completed with TMDb's full detail when
    only a list gave it (the person waits once). None when TMDb does not know it."""
    c = container()
    found = catalog_queries.detail_of(c.documents, c.engine, tmdb_id)
    if found is None:
        if not import_movie(tmdb_id):
            return None
        return catalog_queries.detail_of(c.documents, c.engine, tmdb_id)
    if found.body and not found.complete and _first_ask(f"detail:asked:{tmdb_id}",
                                                        DETAIL_ASKED_SECONDS):
        if complete_movie(tmdb_id):
            return catalog_queries.detail_of(c.documents, c.engine, tmdb_id)
    return found


def complete_movie(tmdb_id: int) -> bool:
    """Fetches TMDb's full detail of a stored movie; on a TMDb failure the person gets
    what the catalog has (the syncs complete it later)."""
    try:
        data = container().tmdb_interactive.movie(tmdb_id)
    except TmdbNotFound:  # gone from TMDb: the changes sync delists it
        return False
    except TmdbError as exc:
        log.warning("TMDb detail of %s failed, serving the list fields: %s", tmdb_id, exc)
        return False
    _import(data, complete=True)
    return True


def import_movie(tmdb_id: int) -> bool:
    """Fetches and imports a movie; False when TMDb does not know it."""
    try:
        data = container().tmdb_interactive.movie(tmdb_id)
    except TmdbNotFound:
        return False
    _import(data, complete=True)
    return True


def import_search_results(q: str) -> int:
    """Asks TMDb's search once an hour per query; imports what it returns."""
    if not _first_ask("search:asked:" + " ".join(q.lower().split())[:200],
                      SEARCH_ASKED_SECONDS):
        return 0
    try:
        results = container().tmdb_interactive.search(q).get("results", [])
    except TmdbError as exc:
        log.warning("TMDb search failed, answering from the catalog: %s", exc)
        return 0
    for item in results:
        _import(item, complete=False)
    return len(results)


def _import(data: dict, complete: bool) -> None:
    """Imports, then projects the movie's events here (already applied ones are
    duplicates, skipped), so the read models have it however far the workers are."""
    # Two people opening the same new movie at once: the second import finds it stored.
    movie = run(ImportMovie(data=data, complete=complete), conflict_retries=2).value
    c = container()
    for envelope in envelopes_of_aggregate(c.engine, "movie", movie.id):
        try:
            c.projection_runner.apply(envelope)
        except RedisError:
            log.warning("redis unavailable; the workers will copy %s later",
                        envelope.aggregate_id)


RELATIONS_ASKED_SECONDS = 86_400


def ask_for_relations(tmdb_id: int, user_id: str) -> None:
    """A movie favorited (by anyone) for the first time today: the workers fetch TMDb's
    related movies of it, for recommendations. Best effort: the daily sync covers it."""
    if not _first_ask(f"relations:asked:{tmdb_id}", RELATIONS_ASKED_SECONDS):
        return
    try:
        from workers.dispatch import request_relations
        request_relations(tmdb_id, user_id)
    except Exception as exc:  # noqa: BLE001 (the broker is away: the sync catches up)
        log.warning("could not ask for the related movies of %s: %r", tmdb_id, exc)


def _first_ask(key: str, seconds: int) -> bool:
    """True the first time within `seconds` (bounds the TMDb calls anyone can cause)."""
    try:
        return bool(container().redis.set(key, "1", nx=True, ex=seconds))
    except RedisError:
        return True
