"""Asking the workers for work from outside them (the API's admin routes)."""
from __future__ import annotations

SYNC_TASK = "catalog.sync"


def request_sync(kind: str) -> str:
    """Queues a TMDb sync of `kind`; returns the Celery task id."""
    from workers.celery_app import celery_app
    return celery_app.send_task(SYNC_TASK, args=(kind,)).id
