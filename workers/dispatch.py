"""Asking the workers for work from outside them (the API's admin routes)."""
from __future__ import annotations

from adapters.messaging.topology import REBUILD_TASK, SYNC_TASK


def request_sync(kind: str) -> str:
    """Queues a TMDb sync of `kind`; returns the Celery task id."""
    from workers.celery_app import celery_app
    return celery_app.send_task(SYNC_TASK, args=(kind,)).id


def request_rebuild() -> str:
    """Queues a rebuild of every read model from the event log; returns the task id."""
    from workers.celery_app import celery_app
    return celery_app.send_task(REBUILD_TASK).id
