"""`read-models verify`: the invariant every fault test ends with. The read models equal
a fresh fold of the event log.

The log is folded into fresh tables in a schema of their own (`verify`) by the rebuild's
own machinery (read_models.operations.rebuild: the same log pass, bulk folds and catch-up rounds),
never swapped in. Then every read table is compared with its fresh copy row by row (by
primary key, column by column, in SQL), and every document Redis holds with the one the
fresh tables give (a key Redis lacks is a cold cache, not a difference: the next read
fills it). The fresh schema is dropped at the end.

The live tables move while this runs when writes go on: a difference may then be an
event still on its way. `settle` seconds are given for that: while differences remain,
the fresh tables catch up with the log again and the comparison is repeated, once a
second. The movie counter deltas are folded first on both sides (live: the workers'
own fold, which they run every few seconds anyway).
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Callable, Iterator

from sqlalchemy import Connection, Engine, Table, text

from adapters.db.metadata import metadata
from read_models.operations.rebuild import (
    ReadModelRebuild,
    RebuildReport,
    rebuilt_tables,
)
from read_models.operations.warm import stored_documents
from read_models.projections.movie_counters import MovieCounters, fold_rows
from read_models.projections.runner import ProjectionRunner
from read_models.stores.library_documents import library_key
from read_models.stores.library_snapshot import read_snapshot
from read_models.stores.redis_docs import RedisDocuments

SCHEMA = "verify"
VERIFY_LOCK = 7_311_2026
IGNORED = {"read_users": {"updated_at"}}    # when the row was written: now(), not the log
SHOWN = 300                                 # characters of a value in a difference
Progress = Callable[[str, int, int | None], None]   # (step, advance, total)


class VerifyBusy(RuntimeError):
    pass


@dataclass(frozen=True)
class Difference:
    where: str          # "table" or "redis"
    table: str          # the read table, or the Redis key's kind
    aggregate: str      # the row's key (or the Redis key)
    column: str         # the column (or field), "(row)" when one side lacks the row
    live: str
    log: str


@dataclass
class VerifyReport:
    differences: list[Difference] = field(default_factory=list)
    rows: int = 0               # rows compared
    documents: int = 0          # Redis documents compared
    cold: int = 0               # documents Redis lacks (filled by the next read)
    events: int = 0             # events folded
    rounds: int = 0             # comparisons made (1 + settling)

    @property
    def ok(self) -> bool:
        return not self.differences


class ReadModelVerify:
    def __init__(self, engine: Engine, make_runner: Callable[[Engine], ProjectionRunner],
                 documents: RedisDocuments, counters: MovieCounters, workers: int = 2):
        self.engine, self.documents, self.counters = engine, documents, counters
        self.fold = ReadModelRebuild(engine, make_runner, workers=workers, schema=SCHEMA)

    def events_to_fold(self) -> int:
        return self.fold.events_to_replay()

    def run(self, progress: Progress = lambda _s, _n, _t: None,
            settle: float = 0.0) -> VerifyReport:
        with self.engine.connect() as guard:
            if not guard.execute(text("SELECT pg_try_advisory_lock(:k)"),
                                 {"k": VERIFY_LOCK}).scalar():
                raise VerifyBusy("another verify is running")
            try:
                return self._verify(progress, settle)
            finally:
                guard.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": VERIFY_LOCK})
                guard.commit()

    def _verify(self, progress: Progress, settle: float) -> VerifyReport:
        report, folded = VerifyReport(), RebuildReport()
        shadow, _runner, applier = self.fold.fold_log(
            folded, lambda n: progress("folding the log", n, None))
        deadline = time.monotonic() + settle
        try:
            while True:
                self.fold.catch_up_rounds(shadow, applier, folded,
                                          lambda n: progress("folding the log", n, None))
                self._fold_counters(shadow)
                report.differences, report.rounds = [], report.rounds + 1
                self._compare(report, shadow, progress)
                if report.ok or time.monotonic() >= deadline:
                    break
                time.sleep(1.0)
        finally:
            applier.close()
            shadow.dispose()
            self.fold.drop()
        report.events = folded.events
        return report

    def _fold_counters(self, shadow: Engine) -> None:
        self.counters.fold_now()
        while fold_rows(shadow):
            pass

    def _compare(self, report: VerifyReport, shadow: Engine, progress: Progress) -> None:
        tables = rebuilt_tables()
        with self.engine.connect() as conn:
            for name in tables:
                found, rows = compare_table(conn, metadata.tables[name])
                report.differences += found
                report.rows += rows
                progress("comparing tables", 1, len(tables))
        for found, compared, cold in self._compare_redis(shadow):
            report.differences += found
            report.documents += compared
            report.cold += cold
            progress("comparing Redis", compared + cold, None)

    def _compare_redis(self, shadow: Engine) -> Iterator[tuple[list[Difference], int, int]]:
        with shadow.connect() as conn:
            for puts, lists, _rows in stored_documents(conn):
                yield self._compare_documents(puts)
                yield self._compare_lists(lists)
            users = conn.execute(text("SELECT user_id FROM read_library_stats")).scalars()
            for user_id in list(users):
                yield self._compare_library(shadow, user_id)

    def _compare_documents(self, puts) -> tuple[list[Difference], int, int]:
        if not puts:
            return [], 0, 0
        pipe = self.documents.redis.pipeline(transaction=False)
        for key, _document, _version in puts:
            pipe.get(key)
            pipe.get(f"{key}:v")
        found = pipe.execute()
        differences, cold = [], 0
        for n, (key, document, version) in enumerate(puts):
            stored, stored_version = found[2 * n], found[2 * n + 1]
            if stored is None:
                cold += 1
                continue
            expected = document.encode() if isinstance(document, str) else document
            if _json(stored) != _json(expected):
                differences.append(Difference("redis", _kind(key), key, "document",
                                              _shown(stored), _shown(expected)))
            if int(stored_version or 0) > version:     # never ahead of the tables (a
                # lower version with the same content is benign: a fold of the counters
                # moves the card and detail, not the `complete` flag)
                differences.append(Difference("redis", _kind(key), key, "version",
                                              str(stored_version and int(stored_version)),
                                              str(version)))
        return differences, len(puts) - cold, cold

    def _compare_lists(self, lists) -> tuple[list[Difference], int, int]:
        differences, cold = [], 0
        for key, ids, version in lists:
            stored = self.documents.whole_list(key)
            if stored is None:
                cold += 1
            elif stored != ids or self.documents.version(key) != version:
                differences.append(Difference("redis", "list", key, "ids",
                                              _shown(stored), _shown(ids)))
        return differences, len(lists) - cold, cold

    def _compare_library(self, shadow: Engine, user_id: str
                         ) -> tuple[list[Difference], int, int]:
        redis = self.documents.redis
        stored_version = redis.get(library_key(user_id, "v"))
        if stored_version is None:
            return [], 0, 1
        expected = read_snapshot(shadow, user_id)
        stored = {
            "version": int(stored_version),
            "stats": _json(redis.get(library_key(user_id, "stats"))),
            "favorites": _entries(redis, user_id, "fav"),
            "watchlist": _entries(redis, user_id, "wl")}
        wanted = {
            "version": expected.version, "stats": _json(expected.stats),
            "favorites": {i: (_json(e), s) for i, e, s in expected.favorites},
            "watchlist": {i: (_json(e), s) for i, e, s in expected.watchlist}}
        return [Difference("redis", "library", library_key(user_id, "*"), name,
                           _shown(stored[name]), _shown(wanted[name]))
                for name in wanted if stored[name] != wanted[name]], 1, 0


def compare_table(conn: Connection, table: Table) -> tuple[list[Difference], int]:
    """Every row of the live table against its fresh copy: (differences, rows compared)."""
    key, columns, relation = _shape(table)
    on = " AND ".join(f'l."{k}" = s."{k}"' for k in key)
    changed = " OR ".join(f'l."{c}" IS DISTINCT FROM s."{c}"' for c in columns) or "false"
    shown = ", ".join(f'l."{c}"::text, s."{c}"::text' for c in columns)
    keys = ", ".join(f'coalesce(l."{k}", s."{k}")::text' for k in key)
    rows = conn.execute(text(f"""
        SELECT {keys}, l."{key[0]}" IS NULL, s."{key[0]}" IS NULL
               {", " + shown if shown else ""}
        FROM {relation.format(schema="public")} l
        FULL JOIN {relation.format(schema=SCHEMA)} s ON {on}
        WHERE l."{key[0]}" IS NULL OR s."{key[0]}" IS NULL OR {changed}""")).all()
    compared = conn.execute(text(
        f"SELECT count(*) FROM {relation.format(schema=SCHEMA)} s")).scalar_one()
    return [d for row in rows for d in _row_differences(table.name, key, columns, row)], \
        compared


def _shape(table: Table) -> tuple[list[str], list[str], str]:
    """(key columns, compared columns, the relation as SQL with a {schema} to fill)."""
    if table.name == "read_movie_counter_deltas":      # ids differ; what they add up to
        return (["tmdb_id"], ["favorites", "rating_sum", "ratings", "n"],
                "(SELECT tmdb_id, sum(favorites) AS favorites, sum(rating_sum) AS rating_sum,"
                " sum(ratings) AS ratings, count(*) AS n"
                " FROM {schema}.read_movie_counter_deltas GROUP BY tmdb_id)")
    key = [c.name for c in table.primary_key.columns]
    columns = [c.name for c in table.columns
               if c.name not in key and c.name not in IGNORED.get(table.name, set())]
    return key, columns, f"{{schema}}.{table.name}"


def _row_differences(table: str, key: list[str], columns: list[str], row) -> list[Difference]:
    aggregate = "/".join(str(v) for v in row[:len(key)])
    only_in_log, only_live = row[len(key)], row[len(key) + 1]
    if only_in_log or only_live:
        return [Difference("table", table, aggregate, "(row)",
                           "missing" if only_in_log else "present",
                           "present" if only_in_log else "missing")]
    values = row[len(key) + 2:]
    return [Difference("table", table, aggregate, column, _shown(values[2 * n]),
                       _shown(values[2 * n + 1]))
            for n, column in enumerate(columns) if values[2 * n] != values[2 * n + 1]]


def _entries(redis, user_id: str, kind: str) -> dict[int, tuple]:
    entries = redis.hgetall(library_key(user_id, kind))
    scores = dict(redis.zrange(library_key(user_id, f"{kind}-t"), 0, -1, withscores=True))
    return {int(i): (_json(e), int(scores[i]) if i in scores else None)
            for i, e in entries.items()}


def _json(raw):
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _kind(key: str) -> str:
    return key.split(":", 1)[0]


def _shown(value) -> str:
    return str(value)[:SHOWN]
