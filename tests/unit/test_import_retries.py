"""An import that keeps failing (workers/import_tasks.py): each failure of its own is an
attempt, tried again with backoff, and the last one parks it as failed with a reason the
person reads; an outage (a store down, TMDb out of reach) is waited for, never counted."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from workers import import_tasks

MAX_ATTEMPTS = 3


class FakeImportStore:
    """What the task asks of ImportStore, in memory: one import's attempts and end."""

    def __init__(self):
        self.attempts, self.retry_in, self.failed = 0, [], None

    def __call__(self, _engine):
        return self

    def job(self, _import_id):
        return {"attempts": self.attempts}

    def failed_attempt(self, _import_id, _error, retry_in):
        self.attempts += 1
        self.retry_in.append(retry_in)
        return self.attempts

    def fail(self, _import_id, reason):
        self.failed = reason


@pytest.fixture
def store(monkeypatch):
    fake = FakeImportStore()
    settings = SimpleNamespace(import_max_attempts=MAX_ATTEMPTS, import_retry_backoff=2.0)
    monkeypatch.setattr(import_tasks, "bootstrap",
                        lambda: SimpleNamespace(settings=settings, engine=None))
    monkeypatch.setattr(import_tasks, "ImportStore", fake)
    return fake


def run_failing(monkeypatch, error: Exception) -> str:
    def failing(_container, _import_id):
        raise error
    monkeypatch.setattr(import_tasks, "run_import", failing)
    return import_tasks.import_library.run("00000000-0000-4000-8000-000000000016")


def test_a_failing_import_is_retried_with_backoff_then_parked_with_its_reason(
        monkeypatch, store):
    for attempt in range(1, MAX_ATTEMPTS):
        with pytest.raises(Exception):          # Celery's retry (with a countdown)
            run_failing(monkeypatch, TypeError("a row the matcher cannot read"))
        assert store.attempts == attempt and store.failed is None
    assert run_failing(monkeypatch, TypeError("a row the matcher cannot read")) == "failed"
    assert store.attempts == MAX_ATTEMPTS
    assert f"after {MAX_ATTEMPTS} failed attempts" in store.failed
    assert "TypeError" in store.failed
    # the backoff grows (equal jitter: at least half of each doubling step)
    assert store.retry_in[1] >= 2.0 and store.retry_in[2] >= 4.0


@pytest.mark.parametrize("outage", [RedisConnectionError("Connection refused"),
                                    ConnectionError("broker gone")])
def test_an_outage_is_waited_for_and_never_counts_as_an_attempt(monkeypatch, store, outage):
    for _ in range(MAX_ATTEMPTS + 2):
        with pytest.raises(Exception):
            run_failing(monkeypatch, outage)
    assert store.attempts == 0 and store.failed is None
