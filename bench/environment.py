"""A database, Redis db and AMQP namespace of the benchmarks' own, and its processes."""
from __future__ import annotations

import os
import tempfile
from dataclasses import replace
from pathlib import Path

from movienexus import database
from movienexus.bootstrap import Container
from movienexus.config import Settings
from movienexus.devtools.processes import Process, free_port, wait_for_worker, wait_http

WORKER_CONCURRENCY = os.environ.get("BENCH_WORKER_CONCURRENCY", "2")   # per lane, as the Procfile


def bench_settings() -> Settings:
    """The benchmarks' own database, Redis db and namespace; BENCH_DATABASE_URL,
    BENCH_REDIS_URL and BENCH_AMQP_NAMESPACE move them (several people on one machine)."""
    base = Settings()
    url = os.environ.get("BENCH_DATABASE_URL") or (
        base.database_url.rsplit("/", 1)[0] + "/movienexus_bench")
    redis_url = os.environ.get("BENCH_REDIS_URL") or base.redis_url.rsplit("/", 1)[0] + "/3"
    namespace = os.environ.get("BENCH_AMQP_NAMESPACE", "movienexus_bench")
    return replace(base, database_url=url, redis_url=redis_url, amqp_namespace=namespace,
                   rate_limits_enabled=False)


def prepare(settings: Settings) -> Container:
    database.create_database(settings.database_url)
    database.upgrade(settings.database_url)
    container = Container(settings)
    container.redis.flushdb()
    container.cache.flushdb()
    return container


def process_env(settings: Settings, smtp_port: int) -> dict[str, str]:
    return {"DATABASE_URL": settings.database_url, "REDIS_URL": settings.redis_url,
            "AMQP_NAMESPACE": settings.amqp_namespace, "SMTP_PORT": str(smtp_port),
            "PEOPLE_WORKER_CONCURRENCY": WORKER_CONCURRENCY,
            "CATALOG_WORKER_CONCURRENCY": WORKER_CONCURRENCY,
            "REACTIONS_WORKER_CONCURRENCY": WORKER_CONCURRENCY, "LOG_LEVEL": "WARNING",
            "RATE_LIMITS_ENABLED": "false", "PROMETHEUS_MULTIPROC_DIR": tempfile.mkdtemp()}


def start_worker(env: dict[str, str], log_dir: Path,
                 lane: str = "people") -> Process:
    """A worker (`people`, `reactions` or `catalog`), from the Procfile line `make run` uses."""
    worker = Process(f"{lane}-worker", {**env, "LOG_LEVEL": "INFO"}, log_dir).start()
    wait_for_worker(worker)
    return worker


def start_api(env: dict[str, str], log_dir: Path) -> tuple[Process, str]:
    port = free_port()
    api = Process("api", {**env, "API_PORT": str(port), "WEB_CONCURRENCY": "4"},
                  log_dir).start()
    url = f"http://127.0.0.1:{port}"
    wait_http(f"{url}/healthz", api)
    return api, url
