"""On-demand imports: a movie or a search TMDb knows and the catalog does not yet.

The import is a command like any other (events, outbox, relay, projections); its
events are also projected right here, so the answer can come from the read models at
once. The workers' later delivery is then a duplicate, which the version gate skips.
"""
from __future__ import annotations

import logging

from redis.exceptions import RedisError

from adapters.messaging.event_log import envelopes_of_aggregate
from adapters.tmdb import TmdbError, TmdbNotFound
from api.commands import run
from api.context import container
from domain.catalog.commands import ImportMovie

log = logging.getLogger(__name__)

SEARCH_ASKED_SECONDS = 3600


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
    if not _first_ask(q):
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
    movie = run(ImportMovie(data=data, complete=complete)).value
    c = container()
    for envelope in envelopes_of_aggregate(c.engine, "movie", movie.id):
        try:
            c.projection_runner.apply(envelope)
        except RedisError:
            log.warning("redis unavailable; the workers will copy %s later",
                        envelope.aggregate_id)


def _first_ask(q: str) -> bool:
    key = "search:asked:" + " ".join(q.lower().split())[:200]
    try:
        return bool(container().redis.set(key, "1", nx=True, ex=SEARCH_ASKED_SECONDS))
    except RedisError:
        return True
