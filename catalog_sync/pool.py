"""Runs a sync's per-movie jobs on a few threads, tallying outcomes into the report.

A job is a callable returning the outcomes of the movies it handled (`{"updated": 1}`).
A job that raises stops the run: jobs not started are cancelled, those running finish
(each is its own transaction, so nothing is left half-written), and the error is raised.
"""
from __future__ import annotations

import threading
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
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
        self._failure: BaseException | None = None
        self._done = 0

    def run(self, jobs: Iterable[Job]) -> None:
        """Submits every job (the iterable may fetch lazily), then waits for them all."""
        try:
            for job in jobs:
                self._raise_failure()
                self._submit(job)
            wait(self._futures, return_when=FIRST_EXCEPTION)
        finally:  # after a failure, what has not started never will
            self._executor.shutdown(wait=True, cancel_futures=True)
        self._raise_failure()

    def expect(self, total: int) -> None:
        self.total = total
        self.progress(self._done, total, self.description)

    def _submit(self, job: Job) -> None:
        future = self._executor.submit(job)
        future.add_done_callback(self._tally)
        self._futures.append(future)

    def _tally(self, future: Future) -> None:
        if future.cancelled():
            return
        with self._lock:
            if future.exception() is not None:
                self._failure = self._failure or future.exception()
                return
            self.report.add(**future.result())
            self._done += 1
            self.progress(self._done, self.total, self.description)

    def _raise_failure(self) -> None:
        if self._failure is not None:
            raise self._failure
