"""The Celery app. Settings follow DESIGN.md: late acks, reject on worker loss,
prefetch 1, confirmed publishes, cancel long tasks when the broker goes away."""
from __future__ import annotations

from celery import Celery
from celery.schedules import crontab  # noqa: F401  (used by schedules added later)

from movienexus.config import Settings, load
from adapters.messaging import topology


def make_celery(settings: Settings) -> Celery:
    ns = settings.amqp_namespace
    app = Celery("movienexus", broker=settings.broker_url)
    app.conf.update(
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
        imports=("workers.tasks", "workers.sync_tasks", "workers.sweep_tasks",
                 "workers.first_boot", "workers.library_tasks", "workers.import_tasks"),
        beat_schedule=beat_schedule(settings),
        beat_scheduler="workers.beat:SingleLeaderScheduler",
        beat_schedule_filename="var/celerybeat-schedule",
        timezone="UTC",
    )
    return app


def beat_schedule(settings: Settings) -> dict:
    from workers import import_tasks, library_tasks
    from workers.sync_tasks import beat_entries  # TMDb syncs: genres, lists, trending...
    return {
        "beat-heartbeat": {"task": "ops.beat_heartbeat", "schedule": 30.0},
        **sweep_entries(settings),
        **beat_entries(settings),
        **library_tasks.beat_entries(settings),
        **import_tasks.beat_entries(settings),
    }


def sweep_entries(settings: Settings) -> dict:
    """The catch-up sweeper of each lane, on that lane's own queue, every few seconds;
    a sweep that waited longer than its period is dropped (the next one is due)."""
    ns = settings.amqp_namespace
    return {f"sweep-{lane}": {
        "task": topology.SWEEP_TASK, "schedule": settings.sweep_every, "args": (lane,),
        "options": {"queue": topology.lane_queue_name(ns, lane),
                    "routing_key": topology.sweep_routing_key(lane),
                    "expires": settings.sweep_every}}
        for lane in topology.LANES}


celery_app = make_celery(load())
