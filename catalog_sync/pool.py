"""Runs a sync's per-movie jobs on a few threads, tallying outcomes into the report.

A job is a callable returning the outcomes of the movies it handled (`{"updated": 1}`).
A job that raises stops the run: jobs not started are cancelled, those running finish
(each is its own transaction, so nothing is left half-written), and the error is raised.
"""
from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Callable, Iterable

from catalog_sync.report import Progress, SyncReport

Tally = dict[str, int]
Job = Callable[[], Tally]


class JobPool:
    def __init__(self, report: SyncReport, progress: Progress, workers: int,
                 description: str):
        self.report, self.progress, self.description = report, progress, description
        self.total: int | None = None
        self._executor = ThreadPoolExecutor(max(1, workers), thread_name_prefix="sync")
        self._lock = threading.Lock()
        self._futures: list[Future] = []
        self._done = 0

    def run(self, jobs: Iterable[Job]) -> None:
        """Submits every job (the iterable may fetch lazily), then waits for them all."""
        try:
            for job in jobs:
                self._submit(job)
            for future in self._futures:
                future.result()
        finally:
            failed = any(f.done() and f.exception() for f in self._futures)
            self._executor.shutdown(wait=True, cancel_futures=failed)
        self._raise_first_error()

    def expect(self, total: int) -> None:
        self.total = total
        self.progress(self._done, total, self.description)

    def _submit(self, job: Job) -> None:
        self._raise_first_error()
        future = self._executor.submit(job)
        future.add_done_callback(self._tally)
        self._futures.append(future)

    def _tally(self, future: Future) -> None:
        if future.cancelled() or future.exception() is not None:
            return
        with self._lock:
            outcomes = future.result()
            self.report.add(**outcomes)
            self._done += 1
            self.progress(self._done, self.total, self.description)

    def _raise_first_error(self) -> None:
        for future in self._futures:
            if future.done() and not future.cancelled() and future.exception() is not None:
                raise future.exception()
