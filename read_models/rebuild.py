"""Rebuilds every read table from the event log into fresh tables, swapped in at once.

The projections run unchanged against a connection whose search_path puts a
`rebuild` schema first, so they fill fresh copies of the read tables (and fresh
checkpoints) while the live ones keep serving. Once the replay has caught up, the
live tables are locked against writes (reads go on), the last events are replayed,
and the tables trade schemas in one transaction: readers never see a half-built
model. Redis documents are written only when newer, so a replay never moves them back.
"""
from __future__ import annotations

import logging
from typing import Callable

from sqlalchemy import Connection, Engine, create_engine, pool, select, text
from sqlalchemy.engine import make_url

from adapters.db.metadata import metadata
from adapters.db.tables import events
from read_models.envelope import Envelope
from read_models.framework import Outcome
from read_models.runner import ProjectionRunner

log = logging.getLogger(__name__)

SHADOW, RETIRED = "rebuild", "retired"
REBUILD_LOCK = 7_311_2025
Progress = Callable[[int], None]


class RebuildBusy(RuntimeError):
    pass


def rebuilt_tables() -> list[str]:
    return sorted(name for name in metadata.tables
                  if name.startswith("read_") or name == "projection_checkpoints")


def shadow_engine(database_url: str) -> Engine:
    url = make_url(database_url)
    return create_engine(url, poolclass=pool.NullPool,
                         connect_args={"options": f"-c search_path={SHADOW},public"})


class ReadModelRebuild:
    def __init__(self, engine: Engine, make_runner: Callable[[Engine], ProjectionRunner],
                 batch_size: int = 1000):
        self.engine, self.make_runner, self.batch_size = engine, make_runner, batch_size
        self.failed = self.held_back = 0

    def events_to_replay(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM events")).scalar_one()

    def run(self, progress: Progress = lambda _n: None) -> int:
        with self.engine.connect() as guard:
            if not guard.execute(text("SELECT pg_try_advisory_lock(:k)"),
                                 {"k": REBUILD_LOCK}).scalar():
                raise RebuildBusy("another rebuild is running")
            try:
                return self._rebuild(progress)
            finally:
                guard.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": REBUILD_LOCK})

    def _rebuild(self, progress: Progress) -> int:
        self._create_shadow_tables()
        shadow = shadow_engine(self.engine.url.render_as_string(hide_password=False))
        runner = self.make_runner(shadow)
        position = self._replay(runner, 0, progress)
        with self.engine.begin() as conn:
            names = ", ".join(f"public.{name}" for name in rebuilt_tables())
            conn.execute(text(f"LOCK TABLE {names} IN EXCLUSIVE MODE"))
            position = self._replay(runner, position, progress)
            self._swap(conn)
        with self.engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {RETIRED} CASCADE"))
        shadow.dispose()
        return position

    def _create_shadow_tables(self) -> None:
        with self.engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {SHADOW} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {SHADOW}"))
            translated = conn.execution_options(schema_translate_map={None: SHADOW})
            metadata.create_all(translated, tables=[metadata.tables[name]
                                                    for name in rebuilt_tables()])

    def _replay(self, runner: ProjectionRunner, after: int, progress: Progress) -> int:
        while batch := self._events_after(after):
            for envelope in batch:
                self._apply(runner, envelope)
            after = batch[-1].position
            progress(len(batch))
        return after

    def _apply(self, runner: ProjectionRunner, envelope: Envelope) -> None:
        """An event the live projections could not apply (dead-lettered there) is
        counted and left out here too, and so are the later events of its aggregate."""
        try:
            if runner.apply(envelope) is Outcome.EARLY:
                self.held_back += 1
        except Exception as exc:  # noqa: BLE001 (reported; the rebuild goes on)
            self.failed += 1
            log.warning("rebuild could not apply %s %s: %r", envelope.event_type,
                        envelope.event_id, exc)

    def _events_after(self, position: int) -> list[Envelope]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(events).where(events.c.position > position)
                                .order_by(events.c.position).limit(self.batch_size)).mappings()
            return [Envelope.from_row(row) for row in rows]

    @staticmethod
    def _swap(conn: Connection) -> None:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {RETIRED} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {RETIRED}"))
        for name in rebuilt_tables():
            conn.execute(text(f"ALTER TABLE public.{name} SET SCHEMA {RETIRED}"))
            conn.execute(text(f"ALTER TABLE {SHADOW}.{name} SET SCHEMA public"))
        conn.execute(text(f"DROP SCHEMA {SHADOW}"))
