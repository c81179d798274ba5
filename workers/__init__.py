"""Celery app, thin tasks, the outbox relay and the beat scheduler."""
