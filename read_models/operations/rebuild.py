"""Rebuilds every read table from the event log into fresh tables, swapped in at once.

1. Fresh copies of the read tables and checkpoints, without their secondary indexes,
   go into a `rebuild` schema while the live ones keep serving.
2. The log is read in one REPEATABLE READ snapshot, paged by position *inside* that
   snapshot, so no page can miss a row the snapshot holds (read_models.operations.log_pass; in
   several processes when the projections split into groups that share no table).
   Events commit in another order than their positions, so a row whose transaction
   commits after the snapshot is not in it: step 3 finds it.
3. Catch-up: every aggregate's last version in `events` is compared with the fresh
   checkpoints of every projection that follows its type, and whatever is behind is
   read from the log and applied; repeated while it keeps finding work. An event that
   fails here but that an operator repaired and replayed from the dead letters is
   applied as replayed (the live models hold the repair; the log, the broken event).
4. The indexes are built, the live tables are locked against writes (reads go on),
   the check of step 3 runs once more and what it finds is applied. Anything still
   held back (an event that fails to apply, a gap in the log) refuses the swap: the
   fresh schema is dropped, the live tables stay as they were, and RebuildRefused
   names each aggregate. An operator who knows those events (dead-lettered by the
   live workers too, so the live models are held back at the same place) may accept
   them; nothing else is ever swapped in short.
5. The tables trade schemas in one transaction: readers never see a half-built
   model. Redis is then filled from the new tables (read_models.operations.warm), each document
   only if newer than what Redis holds.

The events are applied in bulk (read_models.operations.bulk): folded in memory, each changed
row written once per flush, checkpoints in one statement per flush.
"""
from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterator

from sqlalchemy import Connection, Engine, create_engine, pool, text
from sqlalchemy.engine import make_url
from sqlalchemy.schema import CreateIndex, CreateTable

from adapters.db.metadata import metadata
from adapters.messaging.envelope import Envelope
from read_models.operations import warm
from read_models.operations.bulk import BulkApplier
from read_models.operations.log_pass import EVENT_COLUMNS, LogPass, envelopes
from read_models.projections.accounts import SessionsTable
from read_models.projections.framework import no_cyclic_gc
from read_models.projections.runner import ProjectionRunner
from read_models.stores.markers import LAST_POSITION_KEY

log = logging.getLogger(__name__)

SHADOW, RETIRED = "rebuild", "retired"
REBUILD_LOCK = 7_311_2025
PAGE_SIZE = 10_000       # events per read
WORKERS = 2              # processes for the log pass (this machine has 2 cores)
CATCH_UP_ROUNDS = 5      # before the lock; each round reads what the last one missed
Progress = Callable[[int], None]


class RebuildBusy(RuntimeError):
    pass


@dataclass(frozen=True)
class HeldBack:
    """An aggregate one projection could not bring to its last version."""

    projection: str
    aggregate_type: str
    aggregate_id: str
    applied: int
    last: int
    event_id: str | None = None    # the first event not applied (None: not in the log)
    event_type: str | None = None
    error: str | None = None       # why it failed, when it was tried
    dead_lettered: bool = False    # the live workers gave up on it too (pending)
    replayed: dict | None = field(default=None, compare=False, repr=False)
    # ^ the envelope an operator replayed in its place (dead_letters), if any

    @property
    def stuck(self) -> bool:
        """Trying again cannot help (as opposed to events that are still arriving)."""
        return self.error is not None or self.event_id is None

    def describe(self) -> str:
        what = (f"{self.event_type} {self.event_id}" if self.event_id
                else "missing from the log")
        why = self.error or "not applied"
        letter = "dead-lettered" if self.dead_lettered else "not dead-lettered"
        return (f"{self.projection}: {self.aggregate_type} {self.aggregate_id} stopped at "
                f"version {self.applied} of {self.last}; version {self.applied + 1} "
                f"({what}): {why} [{letter}]")


class RebuildRefused(RuntimeError):
    """The swap was refused; the live tables were not touched."""

    def __init__(self, held: list[HeldBack]):
        self.held = held
        lines = [h.describe() for h in held[:20]]
        more = f"\n  … and {len(held) - 20} more" if len(held) > 20 else ""
        hint = ("" if not any(h.dead_lettered for h in held) else
                "\nEvents that are dead-lettered can be accepted with --accept-dead-letters.")
        super().__init__(f"rebuild refused: {len(held)} aggregate(s) held back; the live "
                         "read models are unchanged.\n  " + "\n  ".join(lines) + more + hint)


@dataclass
class RebuildReport:
    position: int = 0                # the highest position replayed
    events: int = 0                  # events read from the log, catch-up included
    caught_up: int = 0               # of those, read by the catch-up rounds
    replayed: int = 0                # applied as an operator replayed them (dead letters)
    accepted: list[HeldBack] = field(default_factory=list)  # swapped in held back
    tables_seconds: float = 0.0      # until the swap committed
    warmed: warm.Warmed | None = None
    warm_seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)   # seconds each step took

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.phases[name] = self.phases.get(name, 0.0) + time.perf_counter() - started


def rebuilt_tables() -> list[str]:
    return sorted(name for name in metadata.tables
                  if name.startswith("read_") or name == "projection_checkpoints")


def shadow_engine(database_url: str, schema: str = SHADOW) -> Engine:
    """Writes go to the fresh tables; nothing there is served until the swap, whose
    commit is synchronous, so the chunks need not wait for their WAL flush."""
    url = make_url(database_url)
    return create_engine(url, poolclass=pool.NullPool, connect_args={
        "options": f"-c search_path={schema},public -c synchronous_commit=off"})


# Run on the shadow engine: its search_path finds the fresh checkpoints first.
_BEHIND = text("""
    WITH last AS (
        SELECT aggregate_type, aggregate_id, max(aggregate_version) AS version
        FROM public.events GROUP BY aggregate_type, aggregate_id)
    SELECT f.projection, l.aggregate_type, l.aggregate_id,
           coalesce(c.version, 0) AS applied, l.version AS last
    FROM last l
    JOIN unnest(CAST(:projections AS text[]), CAST(:types AS text[]))
         AS f(projection, aggregate_type) ON f.aggregate_type = l.aggregate_type
    LEFT JOIN projection_checkpoints c
         ON c.projection = f.projection AND c.aggregate_id = l.aggregate_id
    WHERE coalesce(c.version, 0) < l.version
""")
_EVENTS_AFTER = text(f"""
    SELECT {", ".join("e." + c for c in EVENT_COLUMNS.split(", "))}
    FROM public.events e
    JOIN unnest(CAST(:types AS text[]), CAST(:ids AS text[]), CAST(:after AS integer[]))
         AS b(aggregate_type, aggregate_id, after)
      ON e.aggregate_type = b.aggregate_type AND e.aggregate_id = b.aggregate_id
     AND e.aggregate_version > b.after
    WHERE e.position > :cursor
    ORDER BY e.position LIMIT :limit
""")
_BLOCKING = text("""
    SELECT e.aggregate_type, e.aggregate_id, e.event_id::text, e.event_type,
           EXISTS (SELECT 1 FROM public.dead_letters d
                   WHERE d.event_id = e.event_id AND d.subscriber = 'projections'
                     AND d.replayed_at IS NULL) AS dead_lettered,
           (SELECT d.envelope FROM public.dead_letters d
            WHERE d.event_id = e.event_id AND d.subscriber = 'projections'
              AND d.replayed_at IS NOT NULL
            ORDER BY d.replayed_at DESC, d.id DESC LIMIT 1) AS replayed
    FROM public.events e
    JOIN unnest(CAST(:types AS text[]), CAST(:ids AS text[]), CAST(:versions AS integer[]))
         AS b(aggregate_type, aggregate_id, version)
      ON e.aggregate_type = b.aggregate_type AND e.aggregate_id = b.aggregate_id
     AND e.aggregate_version = b.version
""")


class ReadModelRebuild:
    def __init__(self, engine: Engine, make_runner: Callable[[Engine], ProjectionRunner],
                 page_size: int = PAGE_SIZE, workers: int = WORKERS, schema: str = SHADOW):
        self.engine, self.make_runner, self.page_size = engine, make_runner, page_size
        self.workers, self.schema = workers, schema   # where the fresh tables are made
        self.cursor = 0      # the position the log pass has read up to (tests watch it)

    def events_to_replay(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM events")).scalar_one()

    def run(self, progress: Progress = lambda _n: None, warming: Progress = lambda _n: None,
            accept_dead_letters: bool = False) -> RebuildReport:
        """Raises RebuildRefused (live tables untouched) if anything is held back,
        unless every such event is dead-lettered and `accept_dead_letters`."""
        with self.engine.connect() as guard:
            if not guard.execute(text("SELECT pg_try_advisory_lock(:k)"),
                                 {"k": REBUILD_LOCK}).scalar():
                raise RebuildBusy("another rebuild is running")
            try:
                return self._rebuild(progress, warming, accept_dead_letters)
            finally:
                guard.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": REBUILD_LOCK})

    def fold_log(self, report: RebuildReport, progress: Progress
                 ) -> tuple[Engine, ProjectionRunner, BulkApplier]:
        """Fresh tables in this rebuild's schema, with every event of one snapshot of the
        log folded in: the engine that writes them, the projections on it, and the
        applier that holds their checkpoints. On a failure the schema is dropped."""
        url = self.engine.url.render_as_string(hide_password=False)
        with report.phase("fresh tables"):
            self._create_shadow_tables()
        shadow = shadow_engine(url, self.schema)
        runner = self.make_runner(shadow)

        def on_page(count: int, position: int) -> None:
            self._passed(report, count, position, progress)
        try:
            with report.phase("log pass"), no_cyclic_gc():
                applier = LogPass(self.engine, lambda: shadow_engine(url, self.schema),
                                  runner.projections, self.page_size,
                                  self.workers).run(on_page)
        except BaseException:
            shadow.dispose()
            self._drop_shadow()
            raise
        return shadow, runner, applier

    def catch_up_rounds(self, shadow: Engine, applier: BulkApplier, report: RebuildReport,
                        progress: Progress) -> None:
        """What committed after the log pass's snapshot, read and applied, in rounds."""
        self._catch_up_rounds(shadow, applier, report, progress)

    def drop(self) -> None:
        """Drops this rebuild's schema (its fresh tables)."""
        self._drop_shadow()

    def _rebuild(self, progress: Progress, warming: Progress, accept: bool) -> RebuildReport:
        started, report = time.perf_counter(), RebuildReport()
        shadow, runner, applier = self.fold_log(report, progress)
        try:
            with report.phase("catch-up"):
                self._catch_up_before_the_lock(shadow, applier, report, progress, accept)
            with report.phase("indexes"):
                self._create_shadow_indexes()
            with report.phase("locked: last catch-up and swap"):
                self._swap_in(shadow, applier, report, progress, accept)
        except BaseException:
            applier.close()
            self._drop_shadow()
            raise
        finally:
            shadow.dispose()
        with self.engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {RETIRED} CASCADE"))
        report.tables_seconds = time.perf_counter() - started
        log.info("read models rebuilt: %d events in %.1f s (%s)", report.events,
                 report.tables_seconds, ", ".join(f"{k} {v:.1f} s"
                                                  for k, v in report.phases.items()))
        with report.phase("Redis"):
            self._fill_redis(runner, report, warming)
        return report

    def _catch_up_before_the_lock(self, shadow: Engine, applier: BulkApplier,
                                  report: RebuildReport, progress: Progress,
                                  accept: bool) -> None:
        """Catch-up rounds; refuses already if an aggregate is stuck (cannot move on)."""
        self._catch_up_rounds(shadow, applier, report, progress)
        early = self._held_back(shadow, applier, self._behind(shadow, applier))
        if self._apply_replayed(applier, [h for h in early if h.stuck], report):
            self._catch_up_rounds(shadow, applier, report, progress)
            early = self._held_back(shadow, applier, self._behind(shadow, applier))
        self._accepted([h for h in early if h.stuck], accept)

    def _swap_in(self, shadow: Engine, applier: BulkApplier, report: RebuildReport,
                 progress: Progress, accept: bool) -> None:
        """With the live tables locked against writes: the last check against the log,
        what it finds applied, then the swap, or the refusal."""
        with self.engine.begin() as conn:
            names = ", ".join(f"public.{name}" for name in rebuilt_tables())
            conn.execute(text(f"LOCK TABLE {names} IN EXCLUSIVE MODE"))
            behind = self._behind(shadow, applier)
            self._catch_up(applier, behind, report, progress)
            held = self._held_back(shadow, applier, behind)
            report.accepted = self._accepted(held, accept)
            applier.close()
            self._finish(applier.projections)
            self._swap(conn)

    @staticmethod
    def _finish(projections) -> None:
        """What a projection does at the end of a replay, in the fresh tables, before
        they are swapped in (the library folds its movie counter deltas)."""
        for projection in projections:
            finish = getattr(projection, "finish_rebuild", None)
            if finish is not None:
                finish()

    def _passed(self, report: RebuildReport, count: int, position: int,
                progress: Progress) -> None:
        self.cursor = max(self.cursor, position)
        report.events += count
        report.position = max(report.position, position)
        progress(count)

    def _catch_up_rounds(self, shadow: Engine, applier: BulkApplier, report: RebuildReport,
                         progress: Progress) -> None:
        for _round in range(CATCH_UP_ROUNDS):
            if not self._catch_up(applier, self._behind(shadow, applier), report, progress):
                return

    @staticmethod
    def _apply_replayed(applier: BulkApplier, stuck: list[HeldBack],
                        report: RebuildReport) -> bool:
        """An event that fails here and that an operator repaired and replayed from the
        dead letters is applied as replayed, as the live workers applied it."""
        replayed = sorted({h.event_id: Envelope.from_dict(h.replayed)
                           for h in stuck if h.replayed}.values(), key=lambda e: e.position)
        if not replayed:
            return False
        applier.apply(replayed)
        applier.flush()
        report.replayed += len(replayed)
        log.info("rebuild applied %d event(s) as an operator replayed them", len(replayed))
        return True

    def _catch_up(self, applier: BulkApplier, behind: list[HeldBack], report: RebuildReport,
                  progress: Progress) -> int:
        """Reads and applies the events after each behind aggregate's checkpoint (not
        for those whose next event already failed: it would fail again)."""
        after: dict[tuple[str, str], int] = {}
        for b in behind:
            if (b.projection, b.aggregate_id) not in applier.failures:
                key = (b.aggregate_type, b.aggregate_id)
                after[key] = min(after.get(key, b.applied), b.applied)
        if not after:
            return 0
        types, ids = (list(column) for column in zip(*after))
        params = {"types": types, "ids": ids, "after": list(after.values()),
                  "limit": self.page_size, "cursor": 0}
        applied = 0
        with self.engine.connect() as conn:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                while page := envelopes(conn, _EVENTS_AFTER, params):
                    applier.apply(page)
                    params["cursor"] = page[-1].position
                    applied += len(page)
                    report.caught_up += len(page)
                    self._passed(report, len(page), max(e.position for e in page),
                                 progress)
        applier.flush()
        log.info("rebuild caught up %d events of %d aggregates", applied, len(after))
        return applied

    @staticmethod
    def _behind(shadow: Engine, applier: BulkApplier) -> list[HeldBack]:
        """Every (projection, aggregate) whose fresh checkpoint is below the log's last
        version of that aggregate."""
        pairs = [(p.name, kind) for p in applier.projections for kind in sorted(p.follows)]
        with shadow.connect() as conn:
            rows = conn.execute(_BEHIND, {"projections": [name for name, _ in pairs],
                                          "types": [kind for _, kind in pairs]}).all()
        return [HeldBack(r.projection, r.aggregate_type, r.aggregate_id, r.applied, r.last)
                for r in rows]

    @staticmethod
    def _held_back(shadow: Engine, applier: BulkApplier,
                   behind: list[HeldBack]) -> list[HeldBack]:
        """What `behind` found and is still not applied, with its first missing event,
        why it failed and whether the live workers dead-lettered it."""
        held = [b for b in behind if applier.applied(b.projection, b.aggregate_id) < b.last]
        if not held:
            return []
        for_version = [(b.aggregate_type, b.aggregate_id,
                        applier.applied(b.projection, b.aggregate_id) + 1) for b in held]
        with shadow.connect() as conn:
            rows = conn.execute(_BLOCKING, {"types": [t for t, _, _ in for_version],
                                            "ids": [i for _, i, _ in for_version],
                                            "versions": [v for _, _, v in for_version]}).all()
        blocking = {(r.aggregate_type, r.aggregate_id): r for r in rows}
        described = []
        for b in held:
            first = blocking.get((b.aggregate_type, b.aggregate_id))
            failure = applier.failures.get((b.projection, b.aggregate_id))
            described.append(HeldBack(
                b.projection, b.aggregate_type, b.aggregate_id,
                applier.applied(b.projection, b.aggregate_id), b.last,
                event_id=first.event_id if first else None,
                event_type=first.event_type if first else None,
                error=failure.error if failure else None,
                dead_lettered=bool(first and first.dead_lettered),
                replayed=first.replayed if first else None))
        return described

    @staticmethod
    def _accepted(held: list[HeldBack], accept: bool) -> list[HeldBack]:
        refused = [h for h in held if not (accept and h.dead_lettered)]
        if refused:
            raise RebuildRefused(refused)
        for h in held:
            log.warning("rebuild accepted a dead-lettered event: %s", h.describe())
        return held

    def _create_shadow_tables(self) -> None:
        """Tables and their constraints only; the other indexes come after the load."""
        with self.engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {self.schema}"))
            translated = conn.execution_options(schema_translate_map={None: self.schema})
            for name in rebuilt_tables():
                translated.execute(CreateTable(metadata.tables[name]))

    def _create_shadow_indexes(self) -> None:
        """Built over the loaded tables, several at once (a connection each)."""
        def build(index) -> None:
            with self.engine.begin() as conn:
                conn.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
                conn.execution_options(schema_translate_map={None: self.schema}).execute(
                    CreateIndex(index))
        indexes = [index for name in rebuilt_tables()
                   for index in metadata.tables[name].indexes]
        with ThreadPoolExecutor(max(1, self.workers)) as pool_of_builders:
            list(pool_of_builders.map(build, indexes))
        with self.engine.begin() as conn:
            for name in rebuilt_tables():
                conn.execute(text(f"ANALYZE {self.schema}.{name}"))

    def _drop_shadow(self) -> None:
        try:
            with self.engine.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE"))
        except Exception:  # noqa: BLE001 (the next rebuild drops it first anyway)
            log.exception("could not drop the %s schema", self.schema)

    def _swap(self, conn: Connection) -> None:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {RETIRED} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {RETIRED}"))
        for name in rebuilt_tables():
            conn.execute(text(f"ALTER TABLE public.{name} SET SCHEMA {RETIRED}"))
            conn.execute(text(f"ALTER TABLE {self.schema}.{name} SET SCHEMA public"))
        conn.execute(text(f"DROP SCHEMA {self.schema}"))

    def _fill_redis(self, runner: ProjectionRunner, report: RebuildReport,
                    warming: Progress) -> None:
        started = time.perf_counter()
        blocklist = next((p.live_sessions for p in runner.projections
                          if isinstance(p, SessionsTable)), None)
        report.warmed = warm.warm(self.engine, runner.documents, runner.projections,
                                  warming, blocklist)
        runner.documents.raise_to({LAST_POSITION_KEY: report.position})
        report.warm_seconds = time.perf_counter() - started
