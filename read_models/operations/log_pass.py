"""The rebuild's pass over the event log: every event of one snapshot, folded in bulk.

The log is read in one REPEATABLE READ snapshot, paged by position inside it, so no
page misses a row the snapshot holds (rows that commit later are the catch-up's).

With more than one worker the projections are split into groups that share no table
(each projection declares the `tables` it reads and writes; one that does not keeps
everything in one process), the groups are spread over worker processes by the
weight of the events they follow, and every worker reads, in the same exported
snapshot, only the aggregate types its projections follow. The workers are forked:
they inherit the projections and open connections of their own. The checkpoints and
failures they end with are merged into one BulkApplier for what comes next.
"""
from __future__ import annotations

import logging
import multiprocessing
import queue
import re
import time
import traceback
from typing import Callable, Sequence

from sqlalchemy import Connection, Engine, create_engine, pool, text

from adapters.db.engine import forget_inherited_pools
from adapters.messaging.envelope import Envelope
from read_models.operations.bulk import Applied, BulkApplier
from read_models.projections.framework import Projection

log = logging.getLogger(__name__)

OnPage = Callable[[int, int], None]      # (events in the page, position read up to)

EVENT_COLUMNS = ("event_id::text, event_type, event_version, aggregate_type, aggregate_id, "
                 "aggregate_version, position, occurred_at, payload, correlation_id, "
                 "causation_id, actor_id")                  # Envelope's field order
_PAGE = text(f"""
    SELECT {EVENT_COLUMNS} FROM events
    WHERE position > :cursor AND aggregate_type = ANY(CAST(:types AS text[]))
    ORDER BY position LIMIT :limit
""")
_WEIGHTS = text("""
    SELECT aggregate_type, count(*) + sum(pg_column_size(payload)) / 300 AS weight
    FROM events GROUP BY aggregate_type
""")


def envelopes(conn: Connection, query, params: dict) -> list[Envelope]:
    """Rows selected as EVENT_COLUMNS (what Envelope.from_row makes, faster)."""
    return [Envelope(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7].isoformat(), r[8], r[9],
                     r[10], r[11]) for r in conn.execute(query, params).all()]


def groups(projections: Sequence[Projection]) -> list[list[Projection]]:
    """Projections joined when they share a table (all together if one does not say)."""
    if not all(hasattr(p, "tables") for p in projections):
        return [list(projections)]
    found: list[tuple[set[str], list[Projection]]] = []
    for projection in projections:
        touching = [g for g in found if g[0] & projection.tables]
        merged = (set(projection.tables), [projection])
        for tables, members in touching:
            merged[0].update(tables)
            merged[1][:0] = members
            found.remove((tables, members))
        found.append(merged)
    order = {p.name: n for n, p in enumerate(projections)}
    return [sorted(members, key=lambda p: order[p.name]) for _tables, members in found]


def spread(found: list[list[Projection]], weights: dict[str, int],
           workers: int) -> list[list[Projection]]:
    """The heaviest group first, each into the lightest worker."""
    def weight(group: list[Projection]) -> int:
        return sum(weights.get(kind, 0) for kind in {k for p in group for k in p.follows})
    bins: list[tuple[int, list[Projection]]] = [(0, []) for _ in range(workers)]
    for group in sorted(found, key=weight, reverse=True):
        bins.sort(key=lambda b: b[0])
        bins[0] = (bins[0][0] + weight(group), bins[0][1] + group)
    return [members for _w, members in bins if members]


class LogPass:
    def __init__(self, engine: Engine, shadow: Callable[[], Engine],
                 projections: Sequence[Projection], page_size: int, workers: int):
        self.engine, self.shadow, self.page_size = engine, shadow, page_size
        self.projections, self.workers = list(projections), workers

    def run(self, on_page: OnPage) -> BulkApplier:
        """A BulkApplier over every projection, holding what the pass applied."""
        with self.engine.connect() as conn:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                conn.execute(text("SET TRANSACTION READ ONLY"))
                split = self._split(conn)
                if len(split) == 1:
                    return self._in_process(conn, on_page)
                snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
                try:
                    results = self._in_workers(split, snapshot, on_page)
                except _NoWorkers as exc:
                    log.warning("rebuild log pass in this process: %s", exc)
                    return self._in_process(conn, on_page)
        applier = BulkApplier(self.shadow(), self.projections)
        for applied in results:
            applier.absorb(applied)
        return applier

    def _split(self, conn: Connection) -> list[list[Projection]]:
        if self.workers <= 1:
            return [self.projections]
        found = groups(self.projections)
        if len(found) == 1:
            return found
        weights = {row.aggregate_type: int(row.weight) for row in conn.execute(_WEIGHTS)}
        return spread(found, weights, self.workers)

    def _in_process(self, conn: Connection, on_page: OnPage) -> BulkApplier:
        applier = BulkApplier(self.shadow(), self.projections)
        try:
            read(conn, applier, self.page_size, on_page)
            applier.flush()
        except BaseException:
            applier.close()
            raise
        return applier

    def _in_workers(self, split: list[list[Projection]], snapshot: str,
                    on_page: OnPage) -> list[Applied]:
        context = multiprocessing.get_context("fork")
        messages = context.Queue()
        workers = [context.Process(target=_worker, daemon=True, name=f"rebuild-{n}",
                                   args=(messages, self.engine.url, self.shadow, members,
                                         snapshot, self.page_size))
                   for n, members in enumerate(split)]
        log.info("rebuild log pass in %d processes: %s", len(workers),
                 [[p.name for p in members] for members in split])
        try:
            for worker in workers:
                worker.start()
        except Exception as exc:  # noqa: BLE001 (e.g. a daemonic process may not fork)
            for worker in workers:
                if worker.pid is not None:
                    worker.terminate()
                    worker.join()
            raise _NoWorkers(repr(exc)) from exc
        results: list[Applied] = []
        try:
            while len(results) < len(workers):
                try:
                    kind, *body = messages.get(timeout=1.0)
                except queue.Empty:
                    if any(w.exitcode not in (None, 0) for w in workers):
                        raise RuntimeError("a rebuild worker died (see its exit code)")
                    continue
                if kind == "page":
                    on_page(*body)
                elif kind == "done":
                    results.append(body[0])
                else:
                    raise RuntimeError(f"a rebuild worker failed:\n{body[0]}")
        finally:
            for worker in workers:
                if worker.is_alive() and len(results) < len(workers):
                    worker.terminate()
                worker.join(timeout=30)
        return results


class _NoWorkers(RuntimeError):
    pass


def read(conn: Connection, applier: BulkApplier, page_size: int, on_page: OnPage) -> None:
    """Every event its projections follow, a page at a time, in this snapshot."""
    types = sorted({kind for p in applier.projections for kind in p.follows})
    cursor = 0
    while page := envelopes(conn, _PAGE, {"cursor": cursor, "types": types,
                                          "limit": page_size}):
        applier.apply(page)
        cursor = page[-1].position
        on_page(len(page), cursor)


_SNAPSHOT_ID = re.compile(r"^[0-9A-F-]+$")


def _worker(messages, url, shadow: Callable[[], Engine], projections: list[Projection],
            snapshot: str, page_size: int) -> None:
    """In a forked process: the parent's connections are never touched here (engines of
    its own, NullPool, and every inherited pool emptied first), and it ends with os._exit
    (multiprocessing's), closing nothing of the parent's."""
    started = time.perf_counter()
    forget_inherited_pools()
    try:
        if not _SNAPSHOT_ID.match(snapshot):
            raise ValueError(f"unexpected snapshot id {snapshot!r}")
        engine = create_engine(url, poolclass=pool.NullPool)
        applier = BulkApplier(shadow(), projections)
        with engine.connect() as conn:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                conn.execute(text(f"SET TRANSACTION SNAPSHOT '{snapshot}'"))
                conn.execute(text("SET TRANSACTION READ ONLY"))
                read(conn, applier, page_size, lambda n, at: messages.put(("page", n, at)))
        applier.flush()
        log.info("rebuild worker %s done in %.1f s", [p.name for p in projections],
                 time.perf_counter() - started)
        messages.put(("done", applier.applied_so_far()))
        applier.close()
    except BaseException:  # noqa: BLE001 (reported to the parent, which fails the rebuild)
        messages.put(("error", traceback.format_exc()))
