"""The outbox relay: confirmed publishes, at-least-once across a crash, shared work."""
import json
import threading
import uuid

import pytest
from kombu import Connection, Queue
from sqlalchemy import select

from adapters.db import tables
from tests.support.accounts import register, rename
from adapters.messaging import topology
from workers.relay_process import build_relay


@pytest.fixture
def tap(isolated):
    """A private queue bound to the events exchange: sees every message the relay sends."""
    ns = isolated.settings.amqp_namespace
    queue = Queue(f"tap-{uuid.uuid4().hex}", topology.events_exchange(ns),
                  routing_key="projections.#", auto_delete=True, durable=False)
    with Connection(isolated.settings.broker_url) as conn:
        queue(conn.default_channel).declare()
        yield lambda: drain(conn, queue)
        queue(conn.default_channel).delete()


def drain(conn, queue) -> list[dict]:
    bound, envelopes = queue(conn.default_channel), []
    while (message := bound.get(no_ack=True)) is not None:
        args, _kwargs, _embed = json.loads(message.body)
        envelopes.extend(args[0])       # a projection batch: a list of envelopes
    return envelopes


def published_at(container, aggregate_id):
    with container.engine.connect() as conn:
        return conn.execute(select(tables.events.c.published_at).where(
            tables.events.c.aggregate_id == aggregate_id)).scalars().all()


def copies(envelopes, aggregate_id) -> list[int]:
    return sorted(e["aggregate_version"] for e in envelopes if e["aggregate_id"] == aggregate_id)


def test_the_relay_publishes_every_event_once_and_marks_it(isolated, tap):
    user_id = register(isolated)
    rename(isolated, user_id, 1)
    build_relay(isolated).drain()
    assert copies(tap(), user_id) == [1, 2]
    assert all(published_at(isolated, user_id))


def test_a_relay_killed_between_publish_and_mark_republishes_and_loses_nothing(isolated, tap):
    user_id = register(isolated)
    crashing = build_relay(isolated)
    conn = isolated.engine.connect()
    transaction = conn.begin()
    claimed = crashing.claim(conn)
    crashing.publish(claimed)          # confirmed by the broker …
    transaction.rollback()             # … and the process dies before marking
    conn.invalidate()
    assert not any(published_at(isolated, user_id))
    build_relay(isolated).drain()      # the next relay finds the rows still unpublished
    assert copies(tap(), user_id) == [1, 1]
    assert all(published_at(isolated, user_id))


def test_several_relays_share_the_outbox_without_doubling(isolated, tap):
    users = [register(isolated) for _ in range(5)]
    for user_id in users:
        for n in range(20):
            rename(isolated, user_id, n)
    relays = [build_relay(isolated) for _ in range(3)]
    for relay in relays:
        relay.batch_size = 7
    start = threading.Barrier(len(relays))

    def drain_together(relay):
        start.wait(timeout=10)
        relay.drain()

    threads = [threading.Thread(target=drain_together, args=(r,)) for r in relays]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seen = tap()
    for user_id in users:
        assert copies(seen, user_id) == list(range(1, 22))
    assert sum(1 for relay in relays if relay.published) >= 2, "work was not shared"


def test_a_broker_that_refuses_connections_is_a_publish_failure_not_a_crash(isolated):
    """The relay waits out PublishFailed; a refused (re)connection used to escape as
    kombu's OperationalError and end the relay while RabbitMQ restarted slowly."""
    from adapters.messaging.publisher import ConfirmingPublisher, PublishFailed
    from movienexus.devtools.processes import free_port
    ns = isolated.settings.amqp_namespace
    closed = f"amqp://guest:guest@127.0.0.1:{free_port()}//"
    publisher = ConfirmingPublisher(closed, topology.events_exchange(ns))
    with pytest.raises(PublishFailed):
        publisher.publish_batch([])
