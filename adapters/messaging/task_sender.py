"""Asking the workers for work: one Celery app per container, built from its settings,
that sends our tasks onto the queues topology.py names. The workers' own Celery app
(workers/celery_app.py) is configured from the same `celery_config`, so a message sent
here is one they consume; a process that sends never publishes to two namespaces."""
from __future__ import annotations

from functools import cached_property

from celery import Celery

from adapters.messaging import topology
from movienexus.config import Settings


def celery_config(settings: Settings) -> dict:
    """What every Celery app of ours is configured with (DESIGN.md: late acks, reject on
    worker loss, prefetch 1, confirmed publishes, cancel long tasks on broker loss)."""
    ns = settings.amqp_namespace
    return dict(
        task_queues=topology.queues(ns, settings.amqp_queue_type),
        task_default_queue=topology.queue_name(ns, "default"),
        task_default_exchange=topology.tasks_exchange(ns).name,
        task_default_exchange_type="direct",
        task_default_routing_key="default",
        control_exchange=f"{ns}.control",
        event_exchange=f"{ns}.celeryev",
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_transport_options={"confirm_publish": True},
        broker_connection_retry_on_startup=True,
        worker_cancel_long_running_tasks_on_connection_loss=True,
        task_serializer="json", accept_content=["json"], result_serializer="json",
        task_ignore_result=True,
        worker_send_task_events=True, task_send_sent_event=True,
        worker_hijack_root_logger=False,
        timezone="UTC",
    )


def celery_for(settings: Settings) -> Celery:
    app = Celery("movienexus", broker=settings.broker_url, set_as_current=False)
    app.conf.update(celery_config(settings))
    return app


class TaskSender:
    """Each task of ours that something outside the workers asks for, by name."""

    def __init__(self, settings: Settings):
        self.settings = settings

    @cached_property
    def app(self) -> Celery:
        return celery_for(self.settings)

    def request_sync(self, kind: str) -> str:
        """Queues a TMDb sync of `kind`; returns the Celery task id."""
        return self.app.send_task(topology.SYNC_TASK, args=(kind,)).id

    def request_rebuild(self) -> str:
        """Queues a rebuild of every read model from the event log; returns the task id."""
        return self.app.send_task(topology.REBUILD_TASK).id

    def request_relations(self, tmdb_id: int, user_id: str) -> str:
        """Queues the fetch of TMDb's related movies of a newly favorited movie."""
        return self.app.send_task(topology.RELATE_TASK, args=(tmdb_id, user_id)).id

    def request_import(self, import_id: str) -> str:
        """Queues a library import on the catalog lane (bulk work); returns the task id."""
        return self._on_lane(topology.CATALOG, topology.IMPORT_TASK, "import",
                             (import_id,)).id

    def recommend_later(self, user_id: str, delay: float) -> None:
        """`library.recommend` for a person after `delay`, on the reactions worker."""
        self._reaction(topology.RECOMMEND_TASK, (user_id,), delay)

    def fold_counters_later(self, _subject: str, delay: float) -> None:
        """`library.fold_counters` after `delay`, on the reactions worker."""
        self._reaction(topology.FOLD_COUNTERS_TASK, (), delay)

    def replay(self, subscriber: str, aggregate_type: str, event_type: str,
               envelope: dict) -> None:
        """Sends a dead letter back to its subscriber's task (topology.replay_route)."""
        queue, key = topology.replay_route(subscriber, aggregate_type, event_type)
        self.app.send_task(topology.SUBSCRIBER_TASKS[subscriber], args=(envelope,),
                           queue=topology.queue_name(self.settings.amqp_namespace, queue),
                           routing_key=key)

    def _reaction(self, task: str, args: tuple, delay: float) -> None:
        self.app.send_task(task, args=args, countdown=delay,
                           **topology.reactions_route(self.settings.amqp_namespace))

    def _on_lane(self, lane: str, task: str, name: str, args: tuple, **options):
        return self.app.send_task(task, args=args, **topology.lane_route(
            self.settings.amqp_namespace, lane, name), **options)
