"""Asking the workers for work from outside them (the API's admin routes)."""
from __future__ import annotations

from adapters.messaging import topology
from adapters.messaging.topology import REBUILD_TASK, SYNC_TASK


def request_sync(kind: str) -> str:
    """Queues a TMDb sync of `kind`; returns the Celery task id."""
    from workers.celery_app import celery_app
    return celery_app.send_task(SYNC_TASK, args=(kind,)).id


def request_rebuild() -> str:
    """Queues a rebuild of every read model from the event log; returns the task id."""
    from workers.celery_app import celery_app
    return celery_app.send_task(REBUILD_TASK).id


def recommendations_sender(settings):
    """Sends `library.recommend` for a person after a delay, on the projections queue
    (the people lane), through a Celery app for these settings."""
    from workers.celery_app import make_celery
    app = make_celery(settings)
    queue = topology.lane_queue_name(settings.amqp_namespace, topology.PEOPLE)
    key = topology.lane_task_key(topology.PEOPLE, "recommend")

    def send(user_id: str, delay: float) -> None:
        app.send_task(topology.RECOMMEND_TASK, args=(user_id,), countdown=delay,
                      queue=queue, routing_key=key)
    return send


def fold_sender(settings):
    """Sends `library.fold_counters` after a delay, on the people lane's projections queue."""
    from workers.celery_app import make_celery
    app = make_celery(settings)
    queue = topology.lane_queue_name(settings.amqp_namespace, topology.PEOPLE)
    key = topology.lane_task_key(topology.PEOPLE, "fold")

    def send(_subject: str, delay: float) -> None:
        app.send_task(topology.FOLD_COUNTERS_TASK, countdown=delay, queue=queue,
                      routing_key=key)
    return send


def request_relations(tmdb_id: int, user_id: str) -> str:
    """Queues the fetch of TMDb's related movies of a newly favorited movie (catalog lane)."""
    from workers.celery_app import celery_app
    return celery_app.send_task(topology.RELATE_TASK, args=(tmdb_id, user_id)).id


def request_import(settings, import_id: str) -> str:
    """Queues a library import on the catalog lane (bulk work); returns the task id."""
    from workers.celery_app import celery_app
    return celery_app.send_task(topology.IMPORT_TASK, args=(import_id,),
                                **catalog_lane(settings, "import")).id


def catalog_lane(settings, name: str) -> dict:
    """The queue and routing key that put a task of ours on the catalog lane."""
    return {"queue": topology.lane_queue_name(settings.amqp_namespace, topology.CATALOG),
            "routing_key": topology.lane_task_key(topology.CATALOG, name)}
