"""Library work beside the projections: recomputing a person's recommendations (asked
for by the library projection, debounced per person) and the safety-net fold of movie
counter deltas (each favorite event folds them already; this catches a fold that a
crash interrupted)."""
from __future__ import annotations

import logging

from celery import Task, shared_task

from movienexus.bootstrap import bootstrap
from read_models.recommendations import due_key
from workers import topology
from workers.retry_policy import failure_delay
from workers.tasks import TRANSIENT

log = logging.getLogger(__name__)


@shared_task(name=topology.RECOMMEND_TASK, bind=True, max_retries=None)
def recommend(self: Task, user_id: str) -> str:
    container = bootstrap()
    try:
        container.redis.delete(due_key(user_id))  # a change from now on asks again
        found = container.recommender.recompute(user_id)
    except TRANSIENT as exc:
        log.warning("recommendations waiting for a store: %r", exc)
        raise self.retry(args=(user_id,), countdown=failure_delay(3, 1.0, cap=60.0))
    return f"{len(found)} recommendations"


@shared_task(name=topology.FOLD_COUNTERS_TASK)
def fold_counters() -> str:
    container = bootstrap()
    container.movie_counters.fold_soon()
    return "folded"


def beat_entries(settings) -> dict[str, dict]:
    return {"library-fold-counters": {
        "task": topology.FOLD_COUNTERS_TASK, "schedule": settings.counters_fold_every,
        "options": {"exchange": topology.events_exchange(settings.amqp_namespace).name,
                    "routing_key": topology.routing_key("projections", "library", "Fold"),
                    "expires": settings.counters_fold_every}}}
