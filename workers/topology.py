"""Exchanges, queues and routes: shared by the Celery app and the relay, so the relay
declares exactly the queues the workers consume and no message is ever unroutable."""
from __future__ import annotations

from kombu import Exchange, Queue

PROJECT_TASK = "events.project"
BATCH_TASK = "events.project_batch"
SYNC_TASK = "catalog.sync"
REBUILD_TASK = "read_models.rebuild"
NOTIFY_TASK = "events.notify"
RECOMMEND_TASK = "library.recommend"
RELATE_TASK = "catalog.relate"
FOLD_COUNTERS_TASK = "library.fold_counters"
SUBSCRIBERS = {"projections": PROJECT_TASK, "notifications": NOTIFY_TASK}
NOTIFIED_EVENTS = frozenset({"UserRegistered", "VerificationEmailRequested",
                             "PasswordResetRequested"})


def events_exchange(namespace: str) -> Exchange:
    return Exchange(f"{namespace}.events", type="topic", durable=True)


def tasks_exchange(namespace: str) -> Exchange:
    return Exchange(f"{namespace}.tasks", type="direct", durable=True)


def queue_name(namespace: str, subscriber: str) -> str:
    return f"{namespace}.{subscriber}"


def queues(namespace: str) -> list[Queue]:
    events = events_exchange(namespace)
    subscribed = [Queue(queue_name(namespace, name), events, routing_key=f"{name}.#",
                        durable=True) for name in SUBSCRIBERS]
    default = Queue(queue_name(namespace, "default"), tasks_exchange(namespace),
                    routing_key="default", durable=True)
    return [*subscribed, default]


def subscribers_of(event_type: str) -> list[str]:
    """Every event goes to the projections; some also to the notifications."""
    names = ["projections"]
    if event_type in NOTIFIED_EVENTS:
        names.append("notifications")
    return names


def routing_key(subscriber: str, aggregate_type: str, event_type: str) -> str:
    return f"{subscriber}.{aggregate_type}.{event_type}"
