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
    from workers.relay_process import build_relay, retire_old_queues
    configure_logging()
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    container = bootstrap()
    retire_old_queues(container.settings.broker_url, container.settings.amqp_namespace)
    outbox_relay = build_relay(container)
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
    from adapters.messaging import dead_letters
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


@main.group("read-models")
def read_models_group() -> None:
    """The read models (Postgres read tables and Redis documents)."""


@read_models_group.command("rebuild")
@click.option("--accept-dead-letters", is_flag=True,
              help="Swap in even if events are held back, provided each is pending in "
                   "dead_letters (the live models are held back at the same place).")
@click.option("--workers", type=click.IntRange(1, 16), default=2, show_default=True,
              help="Processes for the pass over the log.")
def read_models_rebuild(accept_dead_letters: bool, workers: int) -> None:
    """Rebuild every read table from the event log into fresh tables, swap them in, then
    fill Redis from them. Exits 1, the live tables untouched, if anything is held back."""
    from rich.progress import Progress
    from read_models.operations.rebuild import RebuildRefused
    rebuild = bootstrap().read_model_rebuild()
    rebuild.workers = workers
    try:
        with Progress(console=console) as progress:
            replay = progress.add_task("replaying events", total=rebuild.events_to_replay())
            fill = progress.add_task("filling Redis", total=None, start=False)

            def warming(n: int) -> None:
                progress.start_task(fill)
                progress.advance(fill, n)
            report = rebuild.run(lambda n: progress.advance(replay, n), warming,
                                 accept_dead_letters=accept_dead_letters)
    except RebuildRefused as refused:
        Console(stderr=True).print(str(refused), highlight=False, markup=False)
        sys.exit(1)
    rate = report.events / report.tables_seconds if report.tables_seconds else 0
    console.print(f"read models rebuilt up to position {report.position}: {report.events} "
                  f"events ({report.caught_up} by the catch-up, {report.replayed} as "
                  f"replayed from the dead letters) in "
                  f"{report.tables_seconds:.1f} s ({rate:,.0f}/s); Redis filled from "
                  f"{report.warmed.rows} rows ({report.warmed.written} documents written) "
                  f"in {report.warm_seconds:.1f} s")
    for held in report.accepted:
        console.print(f"accepted (dead-lettered): {held.describe()}", highlight=False,
                      markup=False)


@read_models_group.command("warm")
def read_models_warm() -> None:
    """Fill Redis from the Postgres read tables (after a Redis restart or flush); each
    document is written only if newer than what Redis holds, so it is safe any time."""
    from rich.progress import Progress
    from read_models.operations.warm import rows_to_warm, warm
    container = bootstrap()
    with Progress(console=console) as progress:
        task = progress.add_task("warming Redis", total=rows_to_warm(container.engine))
        warmed = warm(container.engine, container.documents,
                      container.projection_runner.projections,
                      lambda n: progress.advance(task, n), container.live_sessions)
    console.print(f"Redis warmed from {warmed.rows} rows; {warmed.written} documents were "
                  "missing or older and were written")


@read_models_group.command("verify")
@click.option("--settle", type=click.FloatRange(0, 600), default=10.0, show_default=True,
              help="Seconds to let events on their way land while differences remain.")
@click.option("--workers", type=click.IntRange(1, 16), default=2, show_default=True,
              help="Processes for the pass over the log.")
@click.option("--show", type=click.IntRange(1, 100_000), default=50, show_default=True,
              help="Differences to print at most.")
def read_models_verify(settle: float, workers: int, show: int) -> None:
    """Fold the event log into fresh tables (a `verify` schema, dropped at the end) and
    compare them, row by row, with the live read tables and the Redis documents. Prints
    each difference (aggregate, table, column); exits 1 if there is any, 2 if it could not
    run (PostgreSQL did not answer)."""
    from sqlalchemy.exc import OperationalError
    verify = bootstrap().read_model_verify(workers)
    try:
        report = _verify_with_progress(verify, settle)
    except OperationalError as exc:
        Console(stderr=True).print(f"could not verify, PostgreSQL did not answer: {exc.orig}",
                                   highlight=False, markup=False)
        sys.exit(2)
    console.print(f"{report.events} events folded; {report.rows} rows and "
                  f"{report.documents} Redis documents compared ({report.cold} not in "
                  f"Redis: filled by the next read) in {report.rounds} round(s)")
    if report.ok:
        console.print("[green]✓[/green] the read models equal a fresh fold of the log")
        return
    table = Table("aggregate", "table", "column", "live", "from the log", title=(
        f"{len(report.differences)} difference(s)"))
    for d in report.differences[:show]:
        table.add_row(d.aggregate, f"{d.where}:{d.table}", d.column, d.live, d.log)
    Console(stderr=True).print(table)
    sys.exit(1)


def _verify_with_progress(verify, settle: float):
    from rich.progress import Progress
    with Progress(console=console) as progress:
        steps = {"folding the log": progress.add_task("folding the log",
                                                      total=verify.events_to_fold())}

        def advance(step: str, n: int, total: int | None) -> None:
            if step not in steps:
                steps[step] = progress.add_task(step, total=total)
            progress.advance(steps[step], n)
        return verify.run(advance, settle)


@read_models_group.command("sweep")
@click.option("--lane", type=click.Choice(["people", "catalog", "all"]), default="all",
              show_default=True)
@click.option("--full", is_flag=True,
              help="Look at the whole log, not just above the sweeper's watermark.")
def read_models_sweep(lane: str, full: bool) -> None:
    """Bring every aggregate whose read models are behind the event log up to date
    (what beat runs every SWEEP_EVERY seconds; safe beside the workers)."""
    from rich.progress import Progress
    from adapters.messaging.topology import LANES
    container = bootstrap()
    for name in LANES if lane == "all" else (lane,):
        with Progress(console=console) as progress:
            task = progress.add_task(f"sweeping {name}", total=None)
            report = container.sweeper(name).sweep(
                full, lambda done, total: progress.update(task, completed=done, total=total))
        console.print(report.summary(), highlight=False)
        for aggregate, error in report.failed.items():
            console.print(f"  [red]✗[/red] {aggregate}: {error}", highlight=False)


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
    console.print(describe(load()), highlight=False, soft_wrap=True)



# --- TMDb catalog syncs (catalog_sync/) -------------------------------------------------


def sync_kinds() -> tuple[str, ...]:
    from catalog_sync import KINDS
    return KINDS

@main.command("sync")
@click.argument("kind", type=click.Choice(sync_kinds()))
@click.option("--pages", type=click.IntRange(1, 500), default=None,
              help="pages of each TMDb list (default: SYNC_LIST_PAGES)")
def sync_command(kind: str, pages: int | None) -> None:
    """Sync the catalog with TMDb now, in this process (beat does it on a schedule)."""
    from catalog_sync import SyncFailed, run_sync
    container = bootstrap()
    _require_tmdb(container.settings)
    try:
        with _ProgressBars() as progress:
            report = run_sync(container, kind, pages, progress)
    except SyncFailed as failure:
        _print_report(failure.report)
        console.print(f"[red]✗[/red] {failure}", highlight=False)
        sys.exit(1)
    _print_report(report)


@main.command("import-catalog")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--limit", type=click.IntRange(1), default=None, help="import the first N rows")
def import_catalog_command(path: str, limit: int | None) -> None:
    """Import a TMDB-5000-style CSV (.csv or .csv.zip) through the catalog's commands."""
    from catalog_sync import import_catalog
    with _ProgressBars() as progress:
        report = import_catalog(bootstrap(), path, limit, progress)
    _print_report(report)


def _require_tmdb(settings) -> None:
    from catalog_sync.reachability import unreachable_reason
    url = settings.tmdb_base_url
    reason = unreachable_reason(url)
    if reason is not None:
        console.print(
            f"[red]✗[/red] TMDb does not answer at {url} ({reason}). "
            "With no TMDB_API_KEY the syncs use the bundled TMDb-compatible server: start "
            "it with `python -m tmdb_server` (port TMDB_SERVER_PORT, default 8001) or "
            "`make run`, or set TMDB_BASE_URL to where one runs.", highlight=False)
        sys.exit(1)


class _ProgressBars:
    """A rich progress bar per sync step, fed by catalog_sync's progress callback."""

    def __enter__(self):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
        self.bars = Progress("{task.description}", BarColumn(), MofNCompleteColumn(),
                             TimeElapsedColumn(), console=console)
        self.tasks: dict[str, object] = {}
        self.bars.start()
        return self.update

    def update(self, done: int, total: int | None, description: str) -> None:
        if description not in self.tasks:
            self.tasks[description] = self.bars.add_task(description, total=total)
        self.bars.update(self.tasks[description], completed=done, total=total)

    def __exit__(self, *exc_info: object) -> None:
        self.bars.stop()


def _print_report(report) -> None:
    table = Table("movies", "count", title=f"{report.kind}: {report.status}")
    for name, value in report.counts().items():
        table.add_row(name, str(value))
    table.add_row("TMDb requests", str(report.tmdb_requests))
    table.add_row("seconds", f"{report.seconds:.1f}")
    console.print(table)

def run() -> None:
    """The console entry point: configuration errors are a message, not a traceback."""
    from movienexus.config import ConfigError
    try:
        main(standalone_mode=True)
    except ConfigError as exc:
        console.print(f"[red]configuration error:[/red] {exc}", highlight=False)
        sys.exit(2)


if __name__ == "__main__":
    run()
