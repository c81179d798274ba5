"""The banner `make run` prints: where each part listens."""
from __future__ import annotations

from movienexus.config import Settings


def describe(settings: Settings) -> str:
    api = f"http://{settings.api_host}:{settings.api_port}"
    tmdb = (settings.tmdb_base_url if settings.tmdb_has_credentials
            else f"http://127.0.0.1:{settings.tmdb_server_port} (bundled TMDb-compatible server)")
    return "\n".join([
        "Movie Nexus is starting:",
        f"  web app      {api}/",
        f"  API          {api}/api/v1   (docs: {api}/api/v1/docs)",
        f"  health       {api}/healthz  {api}/readyz  {api}/metrics",
        f"  event stream {settings.events_public_url}/api/v1/me/events   (the `events` "
        f"process, on {settings.events_host}:{settings.events_port})",
        f"  Flower       http://127.0.0.1:{settings.flower_port}",
        f"  SMTP sink    {settings.smtp_host}:{settings.smtp_port}  (mail saved under "
        f"{settings.mail_dir}/)",
        f"  TMDb         {tmdb}",
        f"  PostgreSQL   {settings.database_url}",
        f"  Redis        {settings.redis_url}",
        f"  RabbitMQ     {settings.broker_url}  (exchange {settings.amqp_namespace}.events)",
    ])
