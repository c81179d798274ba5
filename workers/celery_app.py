"""The workers' Celery app. Its settings (DESIGN.md: late acks, reject on worker loss,
prefetch 1, confirmed publishes, cancel long tasks when the broker goes away) are the
task senders' (adapters/messaging/task_sender.py)."""
from __future__ import annotations

from celery import Celery
from celery.signals import worker_process_init

from adapters.messaging import topology
from adapters.messaging.task_sender import celery_for
from movienexus.bootstrap import after_fork
from movienexus.config import Settings, load


def make_celery(settings: Settings) -> Celery:
    """The workers' and beat's Celery app: the senders' configuration
    (adapters/messaging/task_sender.py) plus the task modules and the beat schedule."""
    app = celery_for(settings)
    app.set_current()
    app.conf.update(
        imports=("workers.tasks", "workers.sync_tasks", "workers.sweep_tasks",
                 "workers.first_boot", "workers.library_tasks", "workers.import_tasks"),
        beat_schedule=beat_schedule(settings),
        beat_scheduler="workers.beat:SingleLeaderScheduler",
        beat_schedule_filename=f"var/celerybeat-schedule-{settings.amqp_namespace}",
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


@worker_process_init.connect
def forget_the_parents_connections(**_kwargs) -> None:
    """A pool process is forked from the worker's main process, also later, to replace
    one that died: whatever connection the main process held must not be shared."""
    after_fork()


_built: Celery | None = None


def __getattr__(name: str) -> Celery:
    """`celery_app` (what `celery -A workers.celery_app:celery_app` names) is built from
    the environment on first use: importing this module builds nothing."""
    global _built
    if name != "celery_app":
        raise AttributeError(name)
    if _built is None:
        _built = make_celery(load())
    return _built
