"""On-demand imports: a movie or a search TMDb knows and the catalog does not yet.

The import is a command like any other (events, outbox, relay, projections); its
events are also projected right here, so the answer can come from the read models at
once. The workers' later delivery is then a duplicate, which the version gate skips.

What a request may make TMDb do is bounded: each client IP may trigger
TMDB_LOOKUP_RATE_LIMIT lookups, all requests together REQUEST_IMPORT_BUDGET imported
movies (a Redis counter shared by every process), an id TMDb did not know is not asked
again for TMDB_MISSING_SECONDS, and a search query is asked once an hour. A detail
beyond the limits is 429 (this client) or 503 (everyone, or Redis down: no counting,
no lookup); a search answers from the catalog alone.
"""
from __future__ import annotations

import logging

from flask_smorest import abort
from redis.exceptions import RedisError

from adapters.messaging.event_log import envelopes_of_aggregate
from adapters.tmdb import TmdbError, TmdbNotFound
from api import limits
from api.commands import run
from api.context import client_ip, container
from domain.catalog.commands import ImportMovie
from read_models.queries import catalog_queries
from read_models.queries.catalog_queries import Detail

log = logging.getLogger(__name__)

SEARCH_ASKED_SECONDS = 3600
SEARCH_IMPORT_COST = 20  # a TMDb search page: up to 20 movies
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
    """Fetches TMDb's full detail of a stored movie; on a TMDb failure, or beyond the
    lookup limits, the person gets what the catalog has (the syncs complete it later)."""
    c = container()
    try:
        if not (limits.within(c.settings.tmdb_lookup_rate_limit, "tmdb-lookup", client_ip())
                and limits.within(c.settings.request_import_budget, "import-budget")):
            return False
    except RedisError:
        return False
    try:
        data = c.tmdb_interactive.movie(tmdb_id)
    except TmdbNotFound:  # gone from TMDb: the changes sync delists it
        return False
    except TmdbError as exc:
        log.warning("TMDb detail of %s failed, serving the list fields: %s", tmdb_id, exc)
        return False
    _import(data, complete=True)
    return True


def import_movie(tmdb_id: int) -> bool:
    """Fetches and imports a movie; False when TMDb does not know it."""
    c = container()
    if _known_missing(tmdb_id):
        return False
    if not limits.within(c.settings.tmdb_lookup_rate_limit, "tmdb-lookup", client_ip()):
        abort(429, message="Too many lookups of movies the catalog does not have yet; "
                           "wait a moment and try again.")
    if not limits.within(c.settings.request_import_budget, "import-budget"):
        abort(503, message="Too many movies are being imported right now; try again "
                           "shortly.", headers={"Retry-After": "30"})
    try:
        data = c.tmdb_interactive.movie(tmdb_id)
    except TmdbNotFound:
        _remember_missing(tmdb_id)
        return False
    _import(data, complete=True)
    return True


def import_search_results(q: str) -> int:
    """Asks TMDb's search once an hour per query, within the limits; imports what it
    returns."""
    c = container()
    if not _first_ask(_asked_key(q), SEARCH_ASKED_SECONDS):
        return 0
    if not _search_allowed(c.settings):
        _forget_ask(q)
        log.info("search answered from the catalog only: lookup limit or import budget")
        return 0
    try:
        results = c.tmdb_interactive.search(q).get("results", [])
    except TmdbError as exc:
        log.warning("TMDb search failed, answering from the catalog: %s", exc)
        return 0
    for item in results:
        _import(item, complete=False)
    return len(results)


def _search_allowed(settings) -> bool:
    try:
        return (limits.within(settings.tmdb_lookup_rate_limit, "tmdb-lookup", client_ip())
                and limits.within(settings.request_import_budget, "import-budget",
                                  cost=SEARCH_IMPORT_COST))
    except RedisError:
        return False


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


def _asked_key(q: str) -> str:
    return "search:asked:" + " ".join(q.lower().split())[:200]


RELATIONS_ASKED_SECONDS = 86_400


def ask_for_relations(tmdb_id: int, user_id: str) -> None:
    """A movie favorited (by anyone) for the first time today: the workers fetch TMDb's
    related movies of it, for recommendations. Best effort: the daily sync covers it."""
    if not _first_ask(f"relations:asked:{tmdb_id}", RELATIONS_ASKED_SECONDS):
        return
    try:
        container().tasks.request_relations(tmdb_id, user_id)
    except Exception as exc:  # noqa: BLE001 (the broker is away: the sync catches up)
        log.warning("could not ask for the related movies of %s: %r", tmdb_id, exc)


def _first_ask(key: str, seconds: int) -> bool:
    """True the first time within `seconds` (bounds the TMDb calls anyone can cause)."""
    try:
        return bool(container().cache.set(key, "1", nx=True, ex=seconds))
    except RedisError:
        return True  # the lookup limit and the import budget still bound it


def _forget_ask(q: str) -> None:
    try:
        container().cache.delete(_asked_key(q))
    except RedisError:
        pass


def _missing_key(tmdb_id: int) -> str:
    return f"tmdb:missing:{tmdb_id}"


def _known_missing(tmdb_id: int) -> bool:
    try:
        return bool(container().cache.exists(_missing_key(tmdb_id)))
    except RedisError:
        return False


def _remember_missing(tmdb_id: int) -> None:
    try:
        container().cache.set(_missing_key(tmdb_id), "1",
                              ex=container().settings.tmdb_missing_seconds)
    except RedisError:
        log.warning("TMDb miss for %s not cached", tmdb_id)
