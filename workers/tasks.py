"""Thin tasks: decode the envelope, call the projection runner or the email reactor.

An event that keeps failing is retried with backoff and jitter, then recorded in
the dead-letter store with its error; an event that arrived early waits for its
predecessor. Neither blocks the events behind it in the queue.
"""
from __future__ import annotations

import logging
import smtplib
import traceback

from celery import Task, shared_task
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import OperationalError

from adapters.messaging import dead_letters
from movienexus.bootstrap import bootstrap
from adapters.messaging.envelope import Envelope
from read_models.framework import Outcome
from adapters.messaging import topology
from workers.batches import apply_batch
from workers.retry_policy import early_delay, failure_delay

log = logging.getLogger(__name__)

# A store that is down is not the event's fault: wait for it, however long it takes.
TRANSIENT = (OperationalError, RedisConnectionError, RedisTimeoutError, ConnectionError,
             TimeoutError, smtplib.SMTPConnectError, smtplib.SMTPServerDisconnected)


@shared_task(name="events.project", bind=True, max_retries=None)
def project(self: Task, envelope: dict, failures: int = 0, early: int = 0) -> str:
    container = bootstrap()
    event = Envelope.from_dict(envelope)
    try:
        outcome = container.projection_runner.apply_patiently(event)
    except Exception as exc:  # noqa: BLE001 (any failure: retry, then dead-letter)
        return _retry_or_dead_letter(self, "projections", event, failures, early, exc)
    if outcome is Outcome.EARLY:
        if early >= container.settings.early_event_max_retries:
            return _dead_letter(event, "projections", failures + early,
                                "arrived early and its predecessor never came")
        raise self.retry(args=(envelope,), kwargs={"failures": failures, "early": early + 1},
                         countdown=early_delay(early))
    return outcome.value


@shared_task(name="events.project_batch", bind=True, max_retries=None)
def project_batch(self: Task, envelopes: list[dict], failures: dict[str, int] | None = None,
                  early: int = 0) -> str:
    """Many events in one message (what the relay sends): far less broker overhead
    per event, and one aggregate's events in a batch are applied in order."""
    container, failures = bootstrap(), dict(failures or {})
    settings = container.settings
    result = apply_batch(container.projection_runner,
                         [Envelope.from_dict(e) for e in envelopes], TRANSIENT)
    waiting = _dead_letter_exhausted(result, failures, settings.projection_max_retries)
    if not waiting:
        return f"applied {result.applied}"
    if not result.failed and not result.transient:
        if early >= settings.early_event_max_retries:
            for event in waiting:
                _dead_letter(event, "projections", early,
                             "arrived early and its predecessor never came")
            return f"applied {result.applied}, dead-lettered {len(waiting)}"
        early += 1
    raise self.retry(args=([e.to_dict() for e in waiting],),
                     kwargs={"failures": failures, "early": early},
                     countdown=_batch_delay(result, failures, early, settings))


def _dead_letter_exhausted(result, failures: dict[str, int], max_retries: int) -> list:
    waiting = []
    for event in result.waiting:
        error = result.failed.get(event.event_id)
        if error is not None:
            failures[event.event_id] = failures.get(event.event_id, 0) + 1
            if failures[event.event_id] > max_retries:
                _dead_letter(event, "projections", failures.pop(event.event_id),
                             _describe(error))
                continue
        waiting.append(event)
    return waiting


def _batch_delay(result, failures: dict[str, int], early: int, settings) -> float:
    if result.transient:
        return failure_delay(4, 1.0, cap=60.0)
    if result.failed:
        return failure_delay(max(failures.values(), default=1) - 1,
                             settings.projection_retry_backoff)
    return early_delay(early)


def _describe(exc: Exception) -> str:
    return "".join(traceback.format_exception_only(type(exc), exc)).strip()


@shared_task(name="events.notify", bind=True, max_retries=None)
def notify(self: Task, envelope: dict, failures: int = 0, early: int = 0) -> str:
    event = Envelope.from_dict(envelope)
    try:
        sent = bootstrap().email_reactor.react(event)
    except Exception as exc:  # noqa: BLE001
        return _retry_or_dead_letter(self, "notifications", event, failures, early, exc)
    return "sent" if sent else "skipped"


@shared_task(name="ops.beat_heartbeat")
def beat_heartbeat() -> None:
    bootstrap().redis.set("beat:last-tick", "1", ex=120)


def _retry_or_dead_letter(task: Task, subscriber: str, event: Envelope, failures: int,
                          early: int, exc: Exception) -> str:
    settings = bootstrap().settings
    if isinstance(exc, TRANSIENT):
        log.warning("%s waiting for a store: %r", subscriber, exc)
        raise task.retry(args=(event.to_dict(),),
                         kwargs={"failures": failures, "early": early},
                         countdown=failure_delay(min(failures + 2, 6), 1.0, cap=60.0))
    if failures >= settings.projection_max_retries:
        return _dead_letter(event, subscriber, failures + 1, _describe(exc))
    log.warning("%s failed on %s (try %d): %r", subscriber, event.event_id, failures + 1, exc)
    raise task.retry(args=(event.to_dict(),), kwargs={"failures": failures + 1, "early": early},
                     countdown=failure_delay(failures, settings.projection_retry_backoff))


def _dead_letter(event: Envelope, subscriber: str, attempts: int, error: str) -> str:
    dead_letters.record(bootstrap().engine, subscriber, event, error, attempts)
    log.error("dead-lettered %s %s for %s: %s", event.event_type, event.event_id,
              subscriber, error)
    return "dead-lettered"


@shared_task(name=topology.REBUILD_TASK)
def rebuild_read_models(accept_dead_letters: bool = False) -> str:
    """Fails (RebuildRefused, the live tables untouched) if anything is held back."""
    report = bootstrap().read_model_rebuild().run(accept_dead_letters=accept_dead_letters)
    return (f"rebuilt up to {report.position}: {report.events} events, "
            f"{len(report.accepted)} dead-lettered accepted")


@shared_task(name="ops.count")
def count(key: str) -> None:
    """Next to nothing: the baseline the pipeline benchmark measures itself against."""
    bootstrap().redis.incr(key)
