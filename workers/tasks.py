"""Thin tasks: decode the envelopes, call the projection runner or the email reactor.

A gap in an aggregate's versions is repaired from the event log by the projections
themselves, so nothing here waits on the broker for a missing event. An event that
keeps failing for its own reasons (poison) is retried with backoff and jitter, then
recorded in the dead-letter store with its error; a store that is really unreachable
(`adapters.outages.is_outage`: a lost or refused connection, never an error a working
store answered with) is waited for, however long it takes. Neither blocks the events
behind it in the queue. Every retry logs the exception's class.
"""
from __future__ import annotations

import logging
import traceback

from celery import Task, shared_task

from adapters.messaging import dead_letters, topology
from adapters.messaging.envelope import Envelope
from adapters.outages import count_outage, describe, is_outage
from movienexus.bootstrap import bootstrap
from workers.batches import apply_batch
from workers.retry_policy import failure_delay, outage_delay

log = logging.getLogger(__name__)


@shared_task(name=topology.PROJECT_TASK, bind=True, max_retries=None)
def project(self: Task, envelope: dict, failures: int = 0) -> str:
    """One event (a replayed dead letter)."""
    event = Envelope.from_dict(envelope)
    try:
        outcome = bootstrap().projection_runner.apply(event)
    except Exception as exc:  # noqa: BLE001 (any failure: retry, then dead-letter)
        return _retry_or_dead_letter(self, "projections", event, failures, exc)
    return outcome.value


@shared_task(name=topology.BATCH_TASK, bind=True, max_retries=None)
def project_batch(self: Task, envelopes: list[dict],
                  failures: dict[str, int] | None = None) -> str:
    """Many events in one message (what the relay sends): far less broker overhead
    per event, and one aggregate's events in a batch are applied in order."""
    container, failures = bootstrap(), dict(failures or {})
    result = apply_batch(container.projection_runner,
                         [Envelope.from_dict(e) for e in envelopes], is_outage)
    waiting = _dead_letter_exhausted(result, failures,
                                     container.settings.projection_max_retries)
    summary = f"applied {result.applied} ({result.repaired} after a gap)"
    if not waiting:
        return summary
    if result.transient:
        log.warning("projections waiting for a store (%d events back in the queue): %s",
                    len(waiting), describe(result.transient))
        count_outage("worker", result.transient)
        delay = outage_delay(self.request.retries)
    else:
        log.warning("projections failed (%d events back in the queue): %s", len(waiting),
                    "; ".join(sorted({describe(exc) for exc in result.failed.values()})))
        delay = failure_delay(max(failures.values(), default=1) - 1,
                              container.settings.projection_retry_backoff)
    raise self.retry(args=([e.to_dict() for e in waiting],), kwargs={"failures": failures},
                     countdown=delay)


def _dead_letter_exhausted(result, failures: dict[str, int], max_retries: int) -> list:
    """The waiting events, less those whose own failures ran out of retries (those
    are dead-lettered here, with their error)."""
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


def _describe(exc: Exception) -> str:
    return "".join(traceback.format_exception_only(type(exc), exc)).strip()


@shared_task(name="events.notify", bind=True, max_retries=None)
def notify(self: Task, envelope: dict, failures: int = 0) -> str:
    event = Envelope.from_dict(envelope)
    try:
        sent = bootstrap().email_reactor.react(event)
    except Exception as exc:  # noqa: BLE001
        return _retry_or_dead_letter(self, "notifications", event, failures, exc)
    return "sent" if sent else "skipped"


@shared_task(name="ops.beat_heartbeat")
def beat_heartbeat() -> None:
    bootstrap().redis.set("beat:last-tick", "1", ex=120)


def _retry_or_dead_letter(task: Task, subscriber: str, event: Envelope, failures: int,
                          exc: Exception) -> str:
    settings = bootstrap().settings
    if is_outage(exc):
        log.warning("%s waiting for a store: %s", subscriber, describe(exc))
        count_outage("worker", exc)
        raise task.retry(args=(event.to_dict(),), kwargs={"failures": failures},
                         countdown=outage_delay(task.request.retries))
    if failures >= settings.projection_max_retries:
        return _dead_letter(event, subscriber, failures + 1, _describe(exc))
    log.warning("%s failed on %s (try %d): %s", subscriber, event.event_id, failures + 1,
                describe(exc))
    raise task.retry(args=(event.to_dict(),), kwargs={"failures": failures + 1},
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
