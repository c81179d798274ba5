"""The import store: a job and its rows, written when the upload is accepted (one
transaction: all rows or none), then matched and marked written batch by batch. Every
step is keyed by row, so a job run again after a crash redoes only what is left."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterable, Iterator

from sqlalchemy import Engine, bindparam, func, insert, or_, select, text, update

from adapters.db.import_tables import import_rows, imports

QUEUED, MATCHING, WRITING, DONE = "queued", "matching", "writing", "done"
FAILED = "failed"       # tried import_max_attempts times: parked with its reason
FINISHED = (DONE, FAILED)
_TRY_LOCK = text("SELECT pg_try_advisory_lock(hashtext(:k))")
_UNLOCK = text("SELECT pg_advisory_unlock(hashtext(:k))")
PENDING = "pending"
MATCHED = "matched"  # library_transfer/matching.py's name for it


@dataclass(frozen=True)
class StoredRow:
    row_no: int
    entry: dict
    outcome: str
    tmdb_id: int | None = None
    confidence: float | None = None
    how: str | None = None
    candidates: list | None = None
    written: bool = False


class ImportStore:
    def __init__(self, engine: Engine, on_recorded: Callable[[str], None] | None = None):
        """`on_recorded(import_id)` is called after each step is committed (the job's
        progress announced on its person's event stream)."""
        self.engine = engine
        self.on_recorded = on_recorded or (lambda _import_id: None)

    def create(self, import_id: str, user_id: str, format: str, overwrite: bool,
               entries: list[dict], skipped: int = 0) -> None:
        with self.engine.begin() as conn:
            conn.execute(insert(imports).values(
                id=import_id, user_id=user_id, format=format, overwrite=overwrite,
                status=QUEUED, total=len(entries), skipped=skipped,
                created_at=datetime.now(timezone.utc)))
            if entries:
                conn.execute(insert(import_rows), [
                    {"import_id": import_id, "row_no": n, "entry": entry,
                     "outcome": PENDING, "written": False}
                    for n, entry in enumerate(entries, start=1)])

    def job(self, import_id: str, user_id: str | None = None) -> dict | None:
        """The job (only the person's own when `user_id` is given)."""
        query = select(imports).where(imports.c.id == import_id)
        if user_id is not None:
            query = query.where(imports.c.user_id == user_id)
        with self.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        return dict(row) if row else None

    def set_status(self, import_id: str, status: str) -> None:
        finished = {"finished_at": func.now()} if status in FINISHED else {}
        with self.engine.begin() as conn:
            conn.execute(update(imports).where(imports.c.id == import_id)
                         .values(status=status, **finished))
        self.on_recorded(import_id)

    def rows(self, import_id: str, outcome: str | None = None,
             written: bool | None = None, limit: int | None = None) -> list[StoredRow]:
        query = select(import_rows).where(import_rows.c.import_id == import_id)
        if outcome is not None:
            query = query.where(import_rows.c.outcome == outcome)
        if written is not None:
            query = query.where(import_rows.c.written == written)
        query = query.order_by(import_rows.c.row_no).limit(limit)
        with self.engine.connect() as conn:
            return [StoredRow(**{k: v for k, v in row.items() if k != "import_id"})
                    for row in conn.execute(query).mappings()]

    def save_matches(self, import_id: str, matched: Iterable[StoredRow]) -> None:
        values = [{"b_row": r.row_no, "b_outcome": r.outcome, "b_tmdb_id": r.tmdb_id,
                   "b_confidence": r.confidence, "b_how": r.how,
                   "b_candidates": r.candidates} for r in matched]
        if not values:
            return
        with self.engine.begin() as conn:
            conn.execute(update(import_rows).where(
                import_rows.c.import_id == import_id,
                import_rows.c.row_no == bindparam("b_row")).values(
                **{name: bindparam(f"b_{name}")
                   for name in ("outcome", "tmdb_id", "confidence", "how", "candidates")}),
                values)
        self.on_recorded(import_id)

    def mark_written(self, import_id: str, row_nos: list[int]) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(import_rows).where(
                import_rows.c.import_id == import_id,
                import_rows.c.row_no.in_(row_nos)).values(written=True))
        self.on_recorded(import_id)

    def progress(self, import_id: str) -> dict[str, int]:
        """Rows by outcome, and how many of the matched are written."""
        with self.engine.connect() as conn:
            counts = conn.execute(
                select(import_rows.c.outcome, func.count(),
                       func.count().filter(import_rows.c.written))
                .where(import_rows.c.import_id == import_id)
                .group_by(import_rows.c.outcome)).all()
        tally = {outcome: n for outcome, n, _ in counts}
        tally["written"] = sum(w for _, _, w in counts)
        return tally

    def processed(self, import_id: str) -> int:
        """Rows done with: written, or found not to be written (ambiguous, unmatched)."""
        tally = self.progress(import_id)
        return tally.pop("written") + sum(
            n for outcome, n in tally.items() if outcome not in (PENDING, MATCHED))

    @contextmanager
    def running(self, import_id: str) -> Iterator[bool]:
        """Whether this run holds the job (one runner at a time): a session lock, let go
        however the run ends. A pooled connection keeps a session lock past its return
        to the pool, so a run that failed would otherwise hold its job until the
        process ended, and its own retry would read "running in another worker"."""
        key = {"k": f"import:{import_id}"}
        with self.engine.connect() as conn:
            held = bool(conn.execute(_TRY_LOCK, key).scalar())
            conn.commit()
            try:
                yield held
            finally:
                if held:
                    _unlock(conn, key)

    def unfinished(self, user_id: str | None = None, due: bool = False) -> list[str]:
        """Imports neither done nor failed (`due`: and not waiting out a backoff)."""
        query = select(imports.c.id).where(imports.c.status.not_in(FINISHED))
        if user_id is not None:
            query = query.where(imports.c.user_id == user_id)
        if due:
            query = query.where(or_(imports.c.retry_at.is_(None),
                                    imports.c.retry_at <= func.now()))
        with self.engine.connect() as conn:
            return list(conn.execute(query).scalars())

    def failed_attempt(self, import_id: str, error: str, retry_in: float) -> int:
        """Counts a run that failed for the import's own reasons; the next may start in
        `retry_in` seconds. Returns the attempts so far."""
        with self.engine.begin() as conn:
            return conn.execute(update(imports).where(imports.c.id == import_id).values(
                attempts=imports.c.attempts + 1, failure=error[:2000],
                retry_at=func.now() + timedelta(seconds=retry_in))
                .returning(imports.c.attempts)).scalar() or 0

    def fail(self, import_id: str, reason: str) -> None:
        """Parks the import for good: failed, with the reason the person is shown."""
        with self.engine.begin() as conn:
            conn.execute(update(imports).where(imports.c.id == import_id).values(
                status=FAILED, failure=reason[:2000], retry_at=None,
                finished_at=func.now()))


def _unlock(conn, key: dict) -> None:
    """A connection that cannot say unlock (the store went away) is not put back in the
    pool: closing it is what lets go of the lock then."""
    try:
        conn.execute(_UNLOCK, key)
        conn.commit()
    except Exception:  # noqa: BLE001 (an outage: the session, and its lock, are gone)
        conn.invalidate()
