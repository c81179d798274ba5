"""Events per second through relay + projection, beside a bare Celery task drain
measured in the same run on the same worker; and PATCH /me → GET /me lag."""
from __future__ import annotations

import statistics
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import requests
from sqlalchemy import text

from adapters.messaging.publisher import ConfirmingPublisher, OutgoingMessage
from bench.environment import (WORKER_CONCURRENCY, bench_settings, prepare,  # noqa: F401
                               process_env, start_api, start_worker)
from domain.accounts import commands
from movienexus.devtools.processes import Process
from adapters.messaging import topology
from workers.celery_app import celery_app
from workers.relay_process import build_relay

EVENTS = 10_000
USERS = 500
PASSWORD = "Bench-password-2026"


def drain_baseline(container, count: int = EVENTS) -> float:
    """`count` bare tasks, published in confirmed batches like the relay does."""
    ns = container.settings.amqp_namespace
    key = f"bench:count:{uuid.uuid4().hex}"
    publisher = ConfirmingPublisher(container.settings.broker_url,
                                    topology.events_exchange(ns),
                                    topology.queues(ns, container.settings.amqp_queue_type))
    messages = []
    for _ in range(count):
        m = celery_app.amqp.as_task_v2(str(uuid.uuid4()), "ops.count", args=(key,))
        messages.append(OutgoingMessage(m.body, "projections.people.count", m.headers, {
            k: v for k, v in m.properties.items() if k != "reply_to"}))
    started = time.perf_counter()
    for i in range(0, count, 500):
        publisher.publish_batch(messages[i:i + 500])
    while int(container.redis.get(key) or 0) < count:
        time.sleep(0.005)
    publisher.close()
    return count / (time.perf_counter() - started)


def write_events(container) -> dict[str, int]:
    """USERS accounts with EVENTS events in all, left unpublished for the relay."""
    renames = EVENTS // USERS - 1

    def history(_n: int) -> tuple[str, int]:
        user = container.handle(commands.RegisterUser(
            email=f"bench-{uuid.uuid4().hex[:12]}@example.com", password=PASSWORD)).value
        for n in range(renames):
            container.handle(commands.UpdateProfile(user_id=user.id,
                                                    changes={"first_name": f"N{n}"}))
        return user.id, renames + 1

    with ThreadPoolExecutor(8) as pool:
        return dict(pool.map(history, range(USERS)))


def project_all(container, versions: dict[str, int]) -> float:
    keys = [f"applied:user:{user_id}" for user_id in versions]
    targets = list(versions.values())
    relay, stop = build_relay(container), threading.Event()
    started = time.perf_counter()
    thread = threading.Thread(target=relay.run, args=(stop,), daemon=True)
    thread.start()
    while True:
        applied = [int(v or 0) for v in container.redis.mget(keys)]
        if all(a >= t for a, t in zip(applied, targets)):
            break
        time.sleep(0.005)
    elapsed = time.perf_counter() - started
    stop.set()
    thread.join(timeout=10)
    return sum(targets) / elapsed


def unpublished(container) -> int:
    with container.engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM events WHERE published_at IS NULL")
                            ).scalar()


def read_lag(api_url: str, rounds: int = 300) -> dict[str, list[float]]:
    """PATCH /me, then poll GET /me until the change shows; and the same read made
    once with the consistency token (the server does the waiting)."""
    session = requests.Session()
    email = f"lag-{uuid.uuid4().hex[:12]}@example.com"
    session.post(f"{api_url}/api/v1/auth/register", json={"email": email, "password": PASSWORD})
    login = session.post(f"{api_url}/api/v1/auth/login",
                         json={"email": email, "password": PASSWORD}).json()
    session.headers["Authorization"] = f"Bearer {login['access_token']}"
    polled, with_token = [], []
    for n in range(rounds):
        started = time.perf_counter()
        patch = session.patch(f"{api_url}/api/v1/me", json={"profile": {"bio": f"p{n}"}})
        written = time.perf_counter()
        if n % 2:
            while session.get(f"{api_url}/api/v1/me").json()["profile"]["bio"] != f"p{n}":
                pass
            polled.append(time.perf_counter() - written)
        else:
            answer = session.get(f"{api_url}/api/v1/me", headers={
                "X-Consistency-Token": patch.headers["X-Consistency-Token"]})
            assert answer.json()["profile"]["bio"] == f"p{n}"
            with_token.append(time.perf_counter() - written)
        del started
    return {"polled": polled, "token": with_token}


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def main(log_dir) -> dict:
    from tests.support.smtp import start_smtp
    from movienexus.devtools.processes import free_port
    settings = bench_settings()
    container = prepare(settings)
    smtp_port = free_port()
    smtp, _inbox = start_smtp(smtp_port)
    env = process_env(settings, smtp_port)
    build_relay(container).drain()           # leftovers of an earlier run
    worker = start_worker(env, log_dir)
    processes: list[Process] = [worker]
    try:
        baseline = drain_baseline(container)
        versions = write_events(container)
        assert unpublished(container) >= EVENTS
        pipeline = project_all(container, versions)
        relay = Process("relay", env, log_dir).start()
        api, url = start_api(env, log_dir)
        processes += [relay, api]
        lag = read_lag(url)
    finally:
        for process in processes:
            process.stop()
        smtp.stop()
    return {"baseline": baseline, "pipeline": pipeline, "lag": lag}
