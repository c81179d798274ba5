"""Publishes batches to RabbitMQ with publisher confirms, waiting once per batch.

py-amqp's own confirm mode waits for each message's ack before sending the next;
here the channel is put in confirm mode by hand, a whole batch is sent, and the
acks (RabbitMQ may ack several at once with `multiple`) are drained together.
A nack, a lost connection or a timeout raises, and the caller leaves the batch
unpublished: at-least-once, never lost.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Iterable

from kombu import Connection, Exchange, Producer, Queue


class PublishFailed(Exception):
    pass


@dataclass(frozen=True)
class OutgoingMessage:
    body: Any
    routing_key: str
    headers: dict[str, Any] = field(default_factory=dict)
    properties: dict[str, Any] = field(default_factory=dict)


class ConfirmingPublisher:
    def __init__(self, broker_url: str, exchange: Exchange, queues: Iterable[Queue] = (),
                 confirm_timeout: float = 10.0):
        self.broker_url = broker_url
        self.exchange = exchange
        self.queues = list(queues)
        self.confirm_timeout = confirm_timeout
        self._connection: Connection | None = None

    def connect(self) -> None:
        self.close()
        self._connection = Connection(self.broker_url, connect_timeout=5, heartbeat=0)
        self._connection.ensure_connection(max_retries=3)
        self._channel = self._connection.channel()
        for declarable in (self.exchange, *self.queues):
            declarable.declare(channel=self._channel)
        self._channel.confirm_select()
        self._channel.events["basic_ack"].add(self._on_ack)
        self._channel.events["basic_nack"].add(self._on_nack)
        self._producer = Producer(self._channel, exchange=self.exchange,
                                  serializer="json", auto_declare=False)
        self._next_tag, self._unconfirmed, self._nacked = 1, set(), set()

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.release()
            except Exception:  # noqa: BLE001 (a dead connection may fail to close)
                pass
            self._connection = None

    def publish_batch(self, messages: list[OutgoingMessage]) -> None:
        """Raises PublishFailed for any broker error, a refused (re)connection included:
        the caller waits and tries again, it never exits for a broker that is down."""
        try:
            if self._connection is None:
                self.connect()
            self._send_all(messages)
            self._wait_for_confirms()
        except PublishFailed:
            self.close()
            raise
        except Exception as exc:  # noqa: BLE001 (any broker error: reconnect next time)
            self.close()
            raise PublishFailed(f"publish failed: {exc!r}") from exc

    def _send_all(self, messages: list[OutgoingMessage]) -> None:
        for message in messages:
            self._unconfirmed.add(self._next_tag)
            self._next_tag += 1
            self._producer.publish(message.body, routing_key=message.routing_key,
                                   headers=message.headers, delivery_mode=2,
                                   **message.properties)

    def _wait_for_confirms(self) -> None:
        deadline = time.monotonic() + self.confirm_timeout
        while self._unconfirmed:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise PublishFailed(f"{len(self._unconfirmed)} messages not confirmed in time")
            try:
                self._connection.drain_events(timeout=remaining)
            except TimeoutError as exc:
                raise PublishFailed("confirms timed out") from exc
        if self._nacked:
            nacked, self._nacked = len(self._nacked), set()
            raise PublishFailed(f"broker refused {nacked} messages")

    def _settle(self, delivery_tag: int, multiple: bool) -> set[int]:
        settled = ({t for t in self._unconfirmed if t <= delivery_tag} if multiple
                   else {delivery_tag} & self._unconfirmed)
        self._unconfirmed -= settled
        return settled

    def _on_ack(self, delivery_tag: int, multiple: bool) -> None:
        self._settle(delivery_tag, multiple)

    def _on_nack(self, delivery_tag: int, multiple: bool) -> None:
        self._nacked |= self._settle(delivery_tag, multiple)
