"""`python -m bench converge`: seconds until every read model equals the write side
after each fault of the self-healing tests, each in the middle of 1,000 profile
updates by 20 users, with the relay, both lanes' workers and beat from the Procfile
(and a Redis server of the benchmark's own, so restarting it disturbs nobody).

Two figures per fault: from the fault, and from the burst's last write (the baseline:
what the pipeline needs anyway to catch up with a burst that just ended, measured in
the same run without a fault)."""
from __future__ import annotations

import os
import signal
import time
from dataclasses import replace

from bench.catalog_env import fresh_settings
from bench.environment import process_env
from movienexus.bootstrap import Container
from movienexus.devtools.processes import Process, free_port, wait_for_worker

SCENARIOS = ("no fault (baseline)", "broker stopped and started",
             "worker pool processes SIGKILLed twice", "a queued message deleted",
             "Redis restarted empty", "PostgreSQL connections terminated")


class Stack:
    def __init__(self, env: dict[str, str], log_dir):
        self.env, self.log_dir = env, log_dir
        self.workers: dict[str, Process] = {}
        self.relay = Process("relay", env, log_dir).start()
        self.beat = Process("beat", env, log_dir).start()
        try:
            for lane in ("people", "catalog"):
                self.workers[lane] = self.start(lane)
        except BaseException:
            self.stop()
            raise

    def start(self, lane: str) -> Process:
        worker = Process(f"{lane}-worker", {**self.env, "LOG_LEVEL": "INFO"},
                         self.log_dir).start()
        wait_for_worker(worker)
        return worker

    def stop(self) -> None:
        for process in (self.relay, self.beat, *self.workers.values()):
            process.stop()


def fault(name: str, container: Container, stack: Stack, own_redis, users) -> None:
    from tests.support import faults
    if name.startswith("broker"):
        faults.rabbitmqctl("stop_app")
        time.sleep(2)
        faults.rabbitmqctl("start_app")
    elif name.startswith("worker"):
        for _ in range(2):
            for pid in faults.pool_processes(stack.workers["people"]):
                os.kill(pid, signal.SIGKILL)
            time.sleep(1.5)
    elif name.startswith("a queued"):
        stack.workers["people"].stop()
        time.sleep(1.0)
        faults.drop_a_message_with_a_middle_event(container.settings, set(users))
        stack.workers["people"] = stack.start("people")
    elif name.startswith("Redis"):
        own_redis.stop()
        time.sleep(1.0)
        own_redis.start()
    elif name.startswith("PostgreSQL"):
        faults.terminate_other_connections(container)


def converge(name: str, container: Container, stack: Stack, own_redis) -> dict:
    from read_models.queries.account_queries import me_document
    from tests.support import faults
    burst = faults.start_burst(container)
    faulted = time.perf_counter()
    fault(name, container, stack, own_redis, burst.users)
    burst.finish()
    ended = time.perf_counter()
    while faults.behind(container, burst.users):
        if name.startswith("Redis"):          # documents come back as they are read
            for user_id in burst.users:
                me_document(container.documents, container.engine, user_id)
        time.sleep(0.01)
    done = time.perf_counter()
    return {"after_fault": done - faulted, "after_burst": done - ended,
            "dead_letters": not faults.no_dead_letters(container, burst.users)}


def main(log_dir) -> dict:
    from tests.support.faults import RedisServer
    from tests.support.smtp import start_smtp
    own_redis = RedisServer().start()
    settings = replace(fresh_settings("movienexus_bench_converge", ""),
                       redis_url=own_redis.url, amqp_namespace="movienexus_bench_converge")
    smtp_port = free_port()
    smtp, _inbox = start_smtp(smtp_port)
    env = {**process_env(settings, smtp_port), "SWEEP_EVERY": "1", "SWEEP_GRACE": "1",
           "SEED_EMPTY_CATALOG": "false"}
    try:
        stack = Stack(env, log_dir)
        try:
            container = Container(settings)
            return {name: converge(name, container, stack, own_redis) for name in SCENARIOS}
        finally:
            stack.stop()
    finally:
        smtp.stop()
        own_redis.stop()


def report(figures: dict, console) -> None:
    from rich.table import Table
    table = Table(title="Time to converge: every read model equal to the write side "
                        "(1,000 writes by 20 users, the fault in the middle)")
    table.add_column("fault")
    table.add_column("after the fault", justify="right")
    table.add_column("after the burst's last write", justify="right")
    table.add_column("dead letters", justify="right")
    for name, f in figures.items():
        table.add_row(name, f"{f['after_fault']:.1f} s", f"{f['after_burst']:.2f} s",
                      "yes" if f["dead_letters"] else "none")
    console.print(table)
