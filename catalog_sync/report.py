"""What a sync did: counts of movies fetched, imported, updated, unchanged, delisted."""
from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Iterator

from adapters.tmdb import TmdbError, TmdbRateLimited, TmdbUnavailable

if TYPE_CHECKING:
    from movienexus.bootstrap import Container

COUNTS = ("fetched", "imported", "updated", "unchanged", "delisted", "errors")

# The sync was told where it stands: (movies done, movies expected or None, what it does).
Progress = Callable[[int, "int | None", str], None]


def no_progress(done: int, total: int | None, description: str) -> None:
    """The progress callback of a sync nobody watches."""


@dataclass
class SyncReport:
    kind: str
    fetched: int = 0     # movies TMDb returned (list items, details, CSV rows)
    imported: int = 0    # new to the catalog
    updated: int = 0     # stored, and something changed
    unchanged: int = 0   # stored, nothing changed: no event
    delisted: int = 0    # gone from TMDb
    errors: int = 0      # movies a command refused (the sync went on)
    tmdb_requests: int = 0
    seconds: float = 0.0
    status: str = "ok"   # ok, or "skipped: already running"
    started: float = field(default_factory=time.monotonic, repr=False, compare=False)

    def add(self, **amounts: int) -> None:
        for name, amount in amounts.items():
            setattr(self, name, getattr(self, name) + amount)

    def absorb(self, part: "SyncReport") -> None:
        """Adds a part's counts (sync all = the sum of its parts)."""
        self.add(**{name: getattr(part, name) for name in (*COUNTS, "tmdb_requests")})

    def finish(self) -> "SyncReport":
        self.seconds = round(time.monotonic() - self.started, 3)
        return self

    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in COUNTS}

    def summary(self) -> str:
        counts = ", ".join(f"{name} {value}" for name, value in self.counts().items())
        return (f"sync {self.kind}: {self.status}; {counts}; {self.tmdb_requests} TMDb "
                f"requests in {self.seconds:.1f}s")


class SyncFailed(RuntimeError):
    """A sync stopped early (TMDb down, credentials refused); `report` holds what it did
    before. What it wrote stays valid: each movie is its own transaction, and a curated
    list or a changes checkpoint is only replaced once every page of it arrived."""

    def __init__(self, report: SyncReport, cause: Exception):
        report.status = f"failed: {type(cause).__name__}"
        super().__init__(f"sync {report.kind} stopped: {cause} "
                         f"(before it stopped: {report.counts()})")
        self.report = report
        self.cause = cause

    @property
    def transient(self) -> bool:
        """TMDb is down or rate-limiting: worth trying again later."""
        return isinstance(self.cause, (TmdbUnavailable, TmdbRateLimited))


@contextmanager
def sync_run(container: Container, kind: str) -> Iterator[SyncReport]:
    """A fresh report for one sync: timed, counting TMDb requests, and turning a TMDb
    failure that stops the sync into SyncFailed carrying what was done before it."""
    report = SyncReport(kind)
    before = container.tmdb.stats.requests
    try:
        yield report
    except TmdbError as exc:
        raise SyncFailed(report, exc) from exc
    finally:
        report.tmdb_requests = container.tmdb.stats.requests - before
        report.finish()
