"""Builds a relay from the container, and reads the outbox's figures."""
from __future__ import annotations

from amqp.exceptions import ChannelError
from kombu import Connection
from sqlalchemy import Engine, text

from adapters.messaging.publisher import ConfirmingPublisher
from movienexus.bootstrap import Container
from adapters.messaging import topology
from workers.relay import OutboxRelay, TaskMessages


def retire_old_queues(broker_url: str, namespace: str) -> None:
    """Deletes the queues of earlier versions (see topology.RETIRED_QUEUES)."""
    with Connection(broker_url, connect_timeout=5) as conn:
        for name in topology.retired_queue_names(namespace):
            channel = conn.channel()
            try:
                channel.queue_delete(name)
            except ChannelError:          # never existed (the channel is closed by it)
                pass


def build_relay(container: Container) -> OutboxRelay:
    settings = container.settings
    ns = settings.amqp_namespace
    publisher = ConfirmingPublisher(settings.broker_url, topology.events_exchange(ns),
                                    topology.queues(ns, settings.amqp_queue_type))
    messages = TaskMessages(container.tasks.app, settings.relay_partitions)
    return OutboxRelay(container.engine, publisher, messages,
                       batch_size=settings.relay_batch_size,
                       poll_seconds=settings.relay_poll_seconds)


def outbox_status(engine: Engine) -> dict:
    with engine.connect() as conn:
        row = conn.execute(text("""
            SELECT count(*) FILTER (WHERE published_at IS NULL) AS unpublished,
                   coalesce(extract(epoch FROM now() - min(occurred_at)
                            FILTER (WHERE published_at IS NULL)), 0)::int AS oldest_seconds,
                   coalesce(max(position), 0) AS head_position,
                   count(*) AS total_events
            FROM events""")).mappings().one()
    return dict(row)
