"""`movienexus …`: database, relay, outbox and dead-letter operations, dev servers."""
from __future__ import annotations

import signal
import sys
import threading

import click
from rich.console import Console
from rich.table import Table

from movienexus import database, services
from movienexus.bootstrap import bootstrap
from movienexus.config import load

console = Console()


@click.group()
def main() -> None:
    """Movie Nexus operations."""


@main.group()
def db() -> None:
    """The PostgreSQL database."""


@db.command("create")
def db_create() -> None:
    """Create the database if it does not exist."""
    url = load().database_url
    created = database.create_database(url)
    console.print(f"database {'created' if created else 'already exists'}")


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Apply the Alembic migrations."""
    database.upgrade(load().database_url, revision)
    console.print(f"database at {revision}")


@main.command("check-services")
def check_services() -> None:
    """Fail, naming each one, if PostgreSQL, Redis or RabbitMQ does not answer."""
    missing = services.missing_services(load())
    for message in missing:
        console.print(f"[red]✗[/red] {message}", highlight=False)
    if missing:
        sys.exit(1)
    console.print("PostgreSQL, Redis and RabbitMQ answer.")


@main.command()
def relay() -> None:
    """Run the outbox relay until SIGTERM/SIGINT."""
    from movienexus.logs import configure_logging
    from workers.relay_process import build_relay
    configure_logging()
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    outbox_relay = build_relay(bootstrap())
    console.print("outbox relay running (LISTEN/NOTIFY with polling fallback)")
    outbox_relay.run(stop)


@main.group()
def outbox() -> None:
    """The transactional outbox."""


@outbox.command("status")
def outbox_status() -> None:
    """Unpublished events, the oldest one's age, the newest position."""
    from workers.relay_process import outbox_status as status
    figures = status(bootstrap().engine)
    table = Table("figure", "value")
    for name, value in figures.items():
        table.add_row(name, str(value))
    console.print(table)


@main.group("dead-letters")
def dead_letters_group() -> None:
    """Events a subscriber gave up on."""


@dead_letters_group.command("list")
@click.option("--limit", default=50, show_default=True)
def dead_letters_list(limit: int) -> None:
    """List dead letters not yet replayed, in replay order."""
    from adapters.db import dead_letters
    rows = dead_letters.pending(bootstrap().engine, limit=limit)
    table = Table("id", "subscriber", "event", "aggregate", "v", "attempts", "failed at", "error")
    for r in rows:
        table.add_row(str(r["id"]), r["subscriber"], r["event_type"],
                      f"{r['aggregate_type']}:{r['aggregate_id']}", str(r["aggregate_version"]),
                      str(r["attempts"]), f"{r['failed_at']:%Y-%m-%d %H:%M:%S}",
                      r["error"][:80])
    console.print(table if rows else "no dead letters")


@dead_letters_group.command("replay")
@click.argument("ids", nargs=-1, type=int)
@click.option("--all", "replay_all", is_flag=True, help="Replay every pending dead letter.")
def dead_letters_replay(ids: tuple[int, ...], replay_all: bool) -> None:
    """Send dead letters back to their subscriber (by id, or --all)."""
    from workers.replay import replay
    if not ids and not replay_all:
        raise click.UsageError("name dead-letter ids, or pass --all")
    replayed = replay(bootstrap(), list(ids) or None)
    console.print(f"replayed {len(replayed)} dead letter(s): {replayed}")


@main.command("smtp-sink")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=None, type=int, help="default: SMTP_PORT")
def smtp_sink(host: str, port: int | None) -> None:
    """A development SMTP server that prints each mail and saves it under MAIL_DIR."""
    from movienexus.devtools.smtp_sink import serve
    settings = load()
    serve(host, port or settings.smtp_port, settings.mail_dir)


@main.command()
def urls() -> None:
    """Where each part of `make run` listens."""
    from movienexus.devtools.urls import describe
    console.print(describe(load()), highlight=False)


if __name__ == "__main__":
    main()
