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

import psycopg
from celery import Celery
from sqlalchemy import Connection, Engine, text

from adapters.db.uow import OUTBOX_CHANNEL
from adapters.publisher import ConfirmingPublisher, OutgoingMessage, PublishFailed
from read_models.envelope import Envelope
from workers import topology

log = logging.getLogger(__name__)

CLAIM = text("""
    SELECT position, event_id, event_type, event_version, aggregate_type, aggregate_id,
           aggregate_version, occurred_at, payload, correlation_id, causation_id, actor_id
    FROM events WHERE published_at IS NULL
    ORDER BY position LIMIT :limit FOR UPDATE SKIP LOCKED
""")
MARK = text("UPDATE events SET published_at = now() WHERE position = ANY(:positions)")


class TaskMessages:
    """Turns an envelope into one Celery task message per subscriber."""

    def __init__(self, celery: Celery):
        self.celery = celery

    def for_envelope(self, envelope: Envelope) -> list[OutgoingMessage]:
        return [self._message(subscriber, envelope)
                for subscriber in topology.subscribers_of(envelope.event_type)]

    def _message(self, subscriber: str, envelope: Envelope) -> OutgoingMessage:
        task = topology.SUBSCRIBERS[subscriber]
        task_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{subscriber}/{envelope.event_id}"))
        message = self.celery.amqp.as_task_v2(
            task_id, task, args=(envelope.to_dict(),), kwargs={},
            root_id=envelope.correlation_id or task_id, origin="relay",
            argsrepr=f"{envelope.event_type} {envelope.aggregate_id} "
                     f"v{envelope.aggregate_version}")
        properties = {k: v for k, v in message.properties.items() if k != "reply_to"}
        return OutgoingMessage(
            body=message.body, headers=message.headers, properties=properties,
            routing_key=topology.routing_key(subscriber, envelope.aggregate_type,
                                             envelope.event_type))


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
        self.publisher.publish_batch(
            [m for envelope in envelopes for m in self.messages.for_envelope(envelope)])

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
        listener = NotifyListener(self.engine)
        while not stop.is_set():
            try:
                if self.relay_once() == self.batch_size:
                    continue
            except PublishFailed as exc:
                log.warning("relay publish failed, will retry: %s", exc)
                stop.wait(1.0)
                continue
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
