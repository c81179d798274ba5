"""Exchanges, queues, lanes and routes: shared by the Celery app and the relay, so the
relay declares exactly the queues the workers consume and no message is unroutable.

Two lanes keep people before bulk: each person's aggregates (users, sessions, their
favorites and watchlist) are projected from `<ns>.projections.people`, the catalog's
(movies, lists, genres) from `<ns>.projections.catalog`, by worker processes of their
own. A ten-thousand-movie sync fills the catalog queue and never the people one.
"""
from __future__ import annotations

from kombu import Exchange, Queue

from domain.accounts.events import MAILED_EVENTS, MailRequested

PROJECT_TASK = "events.project"
BATCH_TASK = "events.project_batch"
SWEEP_TASK = "read_models.sweep"
SYNC_TASK = "catalog.sync"
REBUILD_TASK = "read_models.operations.rebuild"
NOTIFY_TASK = "events.notify"
RECOMMEND_TASK = "library.recommend"
RELATE_TASK = "catalog.relate"
FOLD_COUNTERS_TASK = "library.fold_counters"
IMPORT_TASK = "library.import"
RESUME_IMPORTS_TASK = "library.resume_imports"
NOTIFIED_EVENTS = MAILED_EVENTS
# Aggregates only the email reactor reads (no projection follows them): the relay sends
# their events to the notifications queue only.
NOTIFICATION_ONLY_AGGREGATES = frozenset({MailRequested.aggregate_type})

PEOPLE, CATALOG = "people", "catalog"
LANES = (PEOPLE, CATALOG)
# What the system does in reaction to a person's events beyond their read models (the
# emails, recomputing recommendations, folding movie counters) has a worker of its own:
# on the people lane's worker it took the slots the projections need (measured:
# 2,805 events/s live with it, 7,430 without; `python -m bench pipeline`).
REACTIONS = "reactions"
CATALOG_AGGREGATES = frozenset({"movie", "genre_catalog", "curated_list"})
# (everything else, `user`, `session` and each person's `library`, is the people lane)


def lane_of(aggregate_type: str) -> str:
    """Catalog aggregates go to the catalog lane; everything else belongs to a person."""
    return CATALOG if aggregate_type in CATALOG_AGGREGATES else PEOPLE


def events_exchange(namespace: str) -> Exchange:
    return Exchange(f"{namespace}.events", type="topic", durable=True)


def tasks_exchange(namespace: str) -> Exchange:
    return Exchange(f"{namespace}.tasks", type="direct", durable=True)


def queue_name(namespace: str, subscriber: str) -> str:
    return f"{namespace}.{subscriber}"


def projection_queue(lane: str) -> str:
    """The subscriber name of a lane's projection queue (`<ns>.projections.<lane>`)."""
    return f"projections.{lane}"


def lane_queue_name(namespace: str, lane: str) -> str:
    """A lane's projections queue. Tasks of ours sent there name the queue (not only
    the exchange), so Celery declares it, and its exchange, before the first publish."""
    return queue_name(namespace, projection_queue(lane))


def queues(namespace: str, queue_type: str = "classic") -> list[Queue]:
    events = events_exchange(namespace)
    arguments = {"x-queue-type": queue_type}
    subscribed = [Queue(queue_name(namespace, name), events, routing_key=f"{name}.#",
                        durable=True, queue_arguments=arguments)
                  for name in (*map(projection_queue, LANES), "notifications")]
    tasks = [Queue(queue_name(namespace, name), tasks_exchange(namespace), routing_key=name,
                   durable=True, queue_arguments=arguments) for name in ("default", REACTIONS)]
    return [*subscribed, *tasks]


# Queues of earlier versions, deleted at the relay's start: the single projections queue
# (before the lanes) is still bound to `projections.#` and would fill up unread. What
# was left in it is safe: the sweeper brings its events in from the log.
RETIRED_QUEUES = ("projections",)


def retired_queue_names(namespace: str) -> list[str]:
    return [queue_name(namespace, name) for name in RETIRED_QUEUES]


def routing_key(subscriber: str, aggregate_type: str, event_type: str) -> str:
    return f"{subscriber}.{aggregate_type}.{event_type}"


def batch_routing_key(lane: str) -> str:
    return f"{projection_queue(lane)}.batch"


def sweep_routing_key(lane: str) -> str:
    return f"{projection_queue(lane)}.sweep"


def lane_task_key(lane: str, task: str) -> str:
    """The routing key that puts a task of ours on a lane's projections queue."""
    return f"{projection_queue(lane)}.task.{task}"


def lane_route(namespace: str, lane: str, task: str) -> dict[str, str]:
    """The queue and routing key that put a task of ours on a lane."""
    return {"queue": lane_queue_name(namespace, lane), "routing_key": lane_task_key(lane, task)}


def reactions_route(namespace: str) -> dict[str, str]:
    """The queue and routing key of the reactions worker's tasks."""
    return {"queue": queue_name(namespace, REACTIONS), "routing_key": REACTIONS}


# Dead letters name their subscriber ("projections" or "notifications"); a replay sends
# one back to that subscriber's task, on the queue its aggregate's events travel.
SUBSCRIBER_TASKS = {"projections": PROJECT_TASK, "notifications": NOTIFY_TASK}


def replay_route(subscriber: str, aggregate_type: str, event_type: str) -> tuple[str, str]:
    """(queue subscriber name, routing key) for a replayed dead letter."""
    queue = projection_queue(lane_of(aggregate_type)) if subscriber == "projections" \
        else subscriber
    return queue, routing_key(queue, aggregate_type, event_type)
