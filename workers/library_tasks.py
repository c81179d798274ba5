"""Library work beside the projections: recomputing a person's recommendations (asked
for by the library projection, debounced per person), fetching TMDb's related movies of
a movie favorited for the first time, and the safety-net fold of movie counter deltas
(each favorite event folds them already; this catches a fold a crash interrupted)."""
from __future__ import annotations

import logging

from celery import Task, shared_task

from adapters.messaging.event_log import envelopes_of_aggregate
from adapters.tmdb import TmdbError
from catalog_sync.context import sync_context
from catalog_sync.related import refresh_relations_of
from domain.catalog.vocabulary import RELATION_KINDS
from movienexus.bootstrap import bootstrap
from adapters.messaging import topology
from workers.retry_policy import failure_delay
from adapters.outages import describe, is_outage

log = logging.getLogger(__name__)


@shared_task(name=topology.RECOMMEND_TASK, bind=True, max_retries=None)
def recommend(self: Task, user_id: str) -> str:
    container = bootstrap()
    try:
        container.request_recommendations.clear(user_id)  # a change from now on asks again
        found = container.recommender.recompute(user_id)
    except Exception as exc:
        if not is_outage(exc):
            raise
        log.warning("recommendations waiting for a store: %s", describe(exc))
        raise self.retry(args=(user_id,), countdown=failure_delay(3, 1.0, cap=60.0))
    return f"{len(found)} recommendations"


@shared_task(name=topology.RELATE_TASK)
def relate(tmdb_id: int, user_id: str | None = None) -> str:
    """TMDb's recommendations and similar movies of `tmdb_id`, stored and projected here
    (so the catalog lane's backlog does not delay them), then the recommendations of the
    person who favorited it. Best effort: on a TMDb failure the daily related sync
    catches up."""
    container = bootstrap()
    try:
        tally = refresh_relations_of(container, tmdb_id, sync_context("relate"))
    except TmdbError as exc:
        log.warning("related movies of %s not fetched: %s", tmdb_id, exc)
        return "TMDb failed"
    _project_movie(container, tmdb_id)
    for movie_id in _related_ids(container, tmdb_id):
        _project_movie(container, movie_id)
    if user_id:
        container.recommender.recompute(user_id)
    return f"related of {tmdb_id}: {tally}"


def _project_movie(container, tmdb_id: int) -> None:
    """Already applied events are duplicates, skipped by the version gate."""
    for envelope in envelopes_of_aggregate(container.engine, "movie", str(tmdb_id)):
        container.projection_runner.apply(envelope)


def _related_ids(container, tmdb_id: int) -> list[int]:
    from read_models.queries.catalog_queries import relation_ids
    return [i for kind in RELATION_KINDS
            for i in relation_ids(container.documents, container.engine, kind, tmdb_id)]


@shared_task(name=topology.FOLD_COUNTERS_TASK)
def fold_counters() -> str:
    """Asked for (debounced) by favorite events, and sent by beat as a safety net."""
    container = bootstrap()
    container.fold_requests.clear()  # an event from now on asks again
    container.movie_counters.fold_now()
    return "folded"


def beat_entries(settings) -> dict[str, dict]:
    return {"library-fold-counters": {
        "task": topology.FOLD_COUNTERS_TASK, "schedule": settings.counters_fold_every,
        "options": {"queue": topology.lane_queue_name(settings.amqp_namespace,
                                                         topology.PEOPLE),
                    "routing_key": topology.lane_task_key(topology.PEOPLE, "fold"),
                    "expires": settings.counters_fold_every}}}
