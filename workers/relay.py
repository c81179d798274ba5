"""The outbox relay: unpublished events → RabbitMQ, marked published only after confirm.

Rows are claimed with `FOR UPDATE SKIP LOCKED` (never by `position > last`: a
serial's insert order is not its commit order), so several relays share the work.
It wakes on NOTIFY and falls back to polling.
"""
from __future__ import annotations

import logging
import threading
import time
import uuid
import zlib

import psycopg
from celery import Celery
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import InterfaceError, OperationalError

from adapters.messaging.outbox import OUTBOX_CHANNEL
from adapters.messaging.publisher import ConfirmingPublisher, OutgoingMessage, PublishFailed
from adapters.messaging.envelope import Envelope
from adapters.outages import Backoff
from adapters.messaging import topology

log = logging.getLogger(__name__)

CLAIM = text("""
    SELECT position, event_id, event_type, event_version, aggregate_type, aggregate_id,
           aggregate_version, occurred_at, payload, correlation_id, causation_id, actor_id
    FROM events WHERE published_at IS NULL
    ORDER BY position LIMIT :limit FOR UPDATE SKIP LOCKED
""")
MARK = text("UPDATE events SET published_at = now() WHERE position = ANY(:positions)")


class TaskMessages:
    """Turns a batch of envelopes into Celery task messages.

    Projections get the batch split by lane (people, catalog), then into
    `partitions` tasks by aggregate id, so all of one aggregate's events in the batch
    travel together, in order, on its lane's queue, and the broker carries one
    message per partition instead of one per event. Notifications get one message per
    event that concerns them."""

    def __init__(self, celery: Celery, partitions: int = 8):
        self.celery = celery
        self.partitions = max(1, partitions)

    def for_batch(self, envelopes: list[Envelope]) -> list[OutgoingMessage]:
        groups: dict[tuple[str, int], list[Envelope]] = {}
        for envelope in envelopes:
            if envelope.aggregate_type in topology.NOTIFICATION_ONLY_AGGREGATES:
                continue
            lane = topology.lane_of(envelope.aggregate_type)
            groups.setdefault((lane, _partition(envelope.aggregate_id, self.partitions)),
                              []).append(envelope)
        messages = [self._projection_batch(lane, group)
                    for (lane, _), group in sorted(groups.items())]
        messages += [self._notification(e) for e in envelopes
                     if e.event_type in topology.NOTIFIED_EVENTS]
        return messages

    def _projection_batch(self, lane: str, group: list[Envelope]) -> OutgoingMessage:
        first = group[0]
        task_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"projections/{first.event_id}"))
        summary = f"{len(group)} events from {first.aggregate_type}.{first.event_type} " \
                  f"@{first.position}"
        return self._message(topology.BATCH_TASK, task_id, [e.to_dict() for e in group],
                             summary, topology.batch_routing_key(lane), first.correlation_id)

    def _notification(self, envelope: Envelope) -> OutgoingMessage:
        task_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"notifications/{envelope.event_id}"))
        return self._message(
            topology.NOTIFY_TASK, task_id, envelope.to_dict(),
            f"{envelope.event_type} {envelope.aggregate_id} v{envelope.aggregate_version}",
            topology.routing_key("notifications", envelope.aggregate_type,
                                 envelope.event_type), envelope.correlation_id)

    def _message(self, task: str, task_id: str, argument, summary: str, routing_key: str,
                 correlation_id: str | None) -> OutgoingMessage:
        message = self.celery.amqp.as_task_v2(
            task_id, task, args=(argument,), kwargs={}, root_id=correlation_id or task_id,
            origin="relay", argsrepr=summary)
        properties = {k: v for k, v in message.properties.items() if k != "reply_to"}
        return OutgoingMessage(body=message.body, headers=message.headers,
                               properties=properties, routing_key=routing_key)


def _partition(aggregate_id: str, partitions: int) -> int:
    return zlib.crc32(aggregate_id.encode()) % partitions


class OutboxRelay:
    def __init__(self, engine: Engine, publisher: ConfirmingPublisher,
                 messages: TaskMessages, batch_size: int = 500, poll_seconds: float = 1.0):
        self.engine = engine
        self.publisher = publisher
        self.messages = messages
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.published = 0

    def claim(self, conn: Connection) -> list[Envelope]:
        rows = conn.execute(CLAIM, {"limit": self.batch_size}).mappings().all()
        return [Envelope.from_row(row) for row in rows]

    def publish(self, envelopes: list[Envelope]) -> None:
        self.publisher.publish_batch(self.messages.for_batch(envelopes))

    @staticmethod
    def mark(conn: Connection, envelopes: list[Envelope]) -> None:
        conn.execute(MARK, {"positions": [e.position for e in envelopes]})

    def relay_once(self) -> int:
        """One batch in one transaction: claim, publish and confirm, mark."""
        with self.engine.begin() as conn:
            envelopes = self.claim(conn)
            if envelopes:
                self.publish(envelopes)
                self.mark(conn, envelopes)
        self.published += len(envelopes)
        return len(envelopes)

    def drain(self) -> int:
        total = 0
        while (count := self.relay_once()) > 0:
            total += count
        return total

    def run(self, stop: threading.Event) -> None:
        """Until `stop`: a broker or database that goes away is waited for (backing
        off), never a reason to exit; the events stay in the outbox meanwhile."""
        listener, backoff = NotifyListener(self.engine), Backoff("relay")
        while not stop.is_set():
            try:
                full = self.relay_once() == self.batch_size
            except PublishFailed as exc:
                stop.wait(backoff.failed("rabbitmq", exc))
                continue
            except (OperationalError, InterfaceError) as exc:
                stop.wait(backoff.failed("postgres", exc))
                continue
            backoff.succeeded()
            if not full:
                listener.wait(self.poll_seconds)
        listener.close()


class NotifyListener:
    """LISTEN on the outbox channel; any failure just degrades to polling."""

    def __init__(self, engine: Engine):
        url = engine.url.set(drivername="postgresql")
        self._dsn = url.render_as_string(hide_password=False)
        self._conn: psycopg.Connection | None = None

    def wait(self, timeout: float) -> None:
        try:
            if self._conn is None or self._conn.closed:
                self._conn = psycopg.connect(self._dsn, autocommit=True)
                self._conn.execute(f"LISTEN {OUTBOX_CHANNEL}")
            for _ in self._conn.notifies(timeout=timeout, stop_after=1):
                pass
        except psycopg.Error as exc:
            log.warning("LISTEN failed (%s); polling instead", exc)
            self.close()
            time.sleep(timeout)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
