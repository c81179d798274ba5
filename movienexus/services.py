"""Checks that PostgreSQL, Redis and RabbitMQ answer, and says how to start one that does not."""
from __future__ import annotations

import socket
from dataclasses import dataclass
from urllib.parse import urlparse

from movienexus.config import Settings

HOW_TO_START = {
    "PostgreSQL": ("pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
                   "docker compose up -d postgres"),
    "Redis": ("redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save '' "
              "--appendonly no", "docker compose up -d redis"),
    "RabbitMQ": ("rabbitmq-server -detached", "docker compose up -d rabbitmq"),
}


@dataclass(frozen=True)
class Service:
    name: str
    host: str
    port: int


def services(settings: Settings) -> list[Service]:
    pg = urlparse(settings.database_url.replace("+psycopg", ""))
    redis = urlparse(settings.redis_url)
    amqp = urlparse(settings.broker_url)
    return [Service("PostgreSQL", pg.hostname or "127.0.0.1", pg.port or 5432),
            Service("Redis", redis.hostname or "127.0.0.1", redis.port or 6379),
            Service("RabbitMQ", amqp.hostname or "127.0.0.1", amqp.port or 5672)]


def reachable(service: Service, timeout: float = 2.0) -> bool:
    try:
        with socket.create_connection((service.host, service.port), timeout=timeout):
            return True
    except OSError:
        return False


def missing_services(settings: Settings) -> list[str]:
    """One message per service that does not answer, with how to start it."""
    messages = []
    for service in services(settings):
        if not reachable(service):
            local, compose = HOW_TO_START[service.name]
            messages.append(f"{service.name} is not answering on {service.host}:{service.port}."
                            f"\n  start it with:  {local}\n  or with Docker: {compose}")
    return messages
