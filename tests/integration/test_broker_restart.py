"""RabbitMQ restarted in the middle of a burst: the relay and the worker reconnect,
durable queues keep their persistent messages, and every read model ends equal to
the write side. Stops and starts the machine's real broker (rabbitmqctl)."""
import subprocess
import threading
import time

from tests.support.accounts import assert_read_models_match, expected_document, register, \
    rename
from tests.support.util import eventually

USERS, RENAMES = 20, 15


def rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, timeout=120)


def broker_answers() -> bool:
    done = subprocess.run(["rabbitmq-diagnostics", "-q", "check_running"],
                          capture_output=True, timeout=60)
    return done.returncode == 0


def fully_applied(container, user_id) -> bool:
    _doc, version = expected_document(container, user_id)
    return int(container.redis.get(f"applied:user:{user_id}") or 0) >= version


def test_a_broker_restart_mid_burst_loses_nothing(container, pipeline):
    users = [register(container) for _ in range(USERS)]
    writer_done = threading.Event()

    def burst():
        for n in range(RENAMES):
            for user_id in users:
                rename(container, user_id, n)
            time.sleep(0.2)
        writer_done.set()

    writer = threading.Thread(target=burst)
    writer.start()
    time.sleep(0.5)
    try:
        rabbitmqctl("stop_app")
        time.sleep(2)
    finally:
        rabbitmqctl("start_app")
    eventually(broker_answers, timeout=60, interval=1)
    writer.join(timeout=120)
    assert writer_done.is_set()
    pipeline.relay.assert_running()
    pipeline.worker.assert_running()
    eventually(lambda: all(fully_applied(container, u) for u in users), timeout=120,
               interval=0.5)
    for user_id in users:
        assert_read_models_match(container, user_id)
