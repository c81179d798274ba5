"""`python -m bench streams`: the read benchmark's ratios with STREAMS event streams open.

The stack of `python -m bench reads` (bench/reads.py: honcho running the Procfile's
lines, the bare Flask + one Redis GET baseline beside the API, wrk), with the Procfile's
`events` process added. Each endpoint's API ÷ bare ratio is measured first with no
stream open, then with STREAMS concurrent `GET /me/events` streams held open (spread
over the benchmark's people): the quotient of the two is what the streams cost the API
(the aim: within 10 %). Then how long opening them took, the events process's memory,
and the delay from a PATCH /me's answer to its event on every stream of that person."""
from __future__ import annotations

import asyncio
import logging
import statistics
import subprocess
import threading
import time
import uuid
from pathlib import Path

from tornado.httpclient import AsyncHTTPClient, HTTPRequest

from bench import reads
from bench.pipeline import percentile
from movienexus.devtools.processes import free_port, wait_http

STREAMS = 1000
AIM = 0.90        # the ratio with streams open ÷ without, at least


class Streams:
    """STREAMS tornado streaming requests on an event loop in a thread of their own,
    noting when a chunk naming a marker arrives."""

    def __init__(self, url: str, people: list[reads.Person]):
        self.url, self.people, self.opened, self.ended = url, people, 0, 0
        self.arrivals: dict[str, list[float]] = {}
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()

    def open_all(self, timeout: float = 300) -> float:
        started = time.perf_counter()
        asyncio.run_coroutine_threadsafe(self._open(), self.loop)
        while self.opened < STREAMS:
            if time.perf_counter() - started > timeout:
                raise RuntimeError(f"only {self.opened} of {STREAMS} streams opened")
            time.sleep(0.05)
        return time.perf_counter() - started

    async def _open(self) -> None:
        client = AsyncHTTPClient(max_clients=STREAMS + 10)
        for n in range(STREAMS):
            person = self.people[n % len(self.people)]
            fetch = asyncio.ensure_future(client.fetch(HTTPRequest(
                self.url, headers={"Authorization": person.authorization},
                request_timeout=3600, header_callback=self._header,
                streaming_callback=self._chunk), raise_error=False))
            fetch.add_done_callback(self._end)

    def _end(self, _fetch) -> None:
        self.ended += 1

    def _header(self, line: str) -> None:
        if line.startswith("HTTP/"):
            self.opened += 1

    def _chunk(self, chunk: bytes) -> None:
        now = time.perf_counter()
        for marker, times in list(self.arrivals.items()):
            if marker.encode() in chunk:
                times.append(now)

    def deliveries(self) -> list[float]:
        """Each person's PATCH /me once: seconds from its answer to its event on each
        of that person's streams (still open: `ended` counts the closed ones)."""
        delays, each = [], STREAMS // len(self.people)
        for person in self.people:
            marker = f"stream bio {uuid.uuid4().hex[:10]}"
            self.arrivals[marker] = []
            person.http.patch(f"{person.api}/me", json={"profile": {"bio": marker}},
                              timeout=10).raise_for_status()
            answered, deadline = time.perf_counter(), time.perf_counter() + 10
            while len(self.arrivals[marker]) < each and time.perf_counter() < deadline:
                time.sleep(0.001)
            delays += [t - answered for t in self.arrivals.pop(marker)]
        return delays


def _events_rss_mb(stack) -> float:
    """The events process's memory (a descendant of honcho's)."""
    rows = [line.split(None, 3) for line in subprocess.run(
        ["ps", "-eo", "pid=,ppid=,rss=,args="], capture_output=True, text=True).stdout.splitlines()]
    children: dict[str, list[list[str]]] = {}
    for row in rows:
        children.setdefault(row[1], []).append(row)
    found, stack_of = 0, [str(stack.popen.pid)]
    while stack_of:
        for row in children.get(stack_of.pop(), []):
            stack_of.append(row[0])
            found += int(row[2]) if len(row) > 3 and "api.stream" in row[3] else 0
    return found / 1024


def main(log_dir: Path) -> dict:
    logging.getLogger("tornado").setLevel(logging.CRITICAL)  # streams closed at the end
    events_port = free_port()
    env = {"EVENTS_PORT": str(events_port), "ACCESS_TOKEN_MINUTES": "240"}  # both passes
    with reads.served(log_dir, env, ("events",), "movienexus_bench_streams") as run:
        events = f"http://127.0.0.1:{events_port}"
        wait_http(f"{events}/healthz", run.stack)
        without = reads.loads(run, log_dir)
        streams = Streams(f"{events}/api/v1/me/events", run.people)
        open_seconds = streams.open_all()
        reads.settle()
        with_streams = reads.loads(run, log_dir)
        delays = streams.deliveries()
        rss, ended = _events_rss_mb(run.stack), streams.ended   # before the stack stops
    return {"without": without, "with": with_streams, "open_seconds": open_seconds,
            "rss_mb": rss, "delays": delays, "expected": STREAMS, "people": len(run.people),
            "ended": ended}


def _ratio(pairs: list[tuple]) -> float:
    return statistics.median(api.rate / bare.rate for bare, api in pairs)


def report(figures: dict, console) -> None:
    from rich.table import Table
    table = Table(title=f"Reads with {STREAMS:,} event streams open ({figures['people']} "
                        f"people): the read benchmark's API ÷ bare ratio (wrk "
                        f"{reads.wrk.CONNECTIONS} connections, {reads.SECONDS} s, "
                        f"{reads.ROUNDS} rounds, median) without and with the streams")
    for column in ("endpoint", "÷ bare, no stream", f"÷ bare, {STREAMS:,} streams",
                   "with ÷ without", "API p99 without / with", "aim"):
        table.add_column(column, justify="left" if column in ("endpoint", "aim") else "right")
    quotients = []
    for name, (_endpoint, before) in figures["without"].items():
        after = figures["with"][name][1]
        quotient = _ratio(after) / _ratio(before)
        quotients.append(quotient)
        p99 = [statistics.median(api.p99_ms for _, api in pairs) for pairs in (before, after)]
        table.add_row(name, f"{_ratio(before):.2f}", f"{_ratio(after):.2f}", f"{quotient:.2f}",
                      f"{p99[0]:.1f} / {p99[1]:.1f} ms",
                      f"≥ {AIM:.2f} " + ("[green]met[/green]" if quotient >= AIM
                                         else "[red]not met[/red]"))
    table.add_row("median over the endpoints", "", "", f"{statistics.median(quotients):.2f}",
                  "", "")
    console.print(table)
    delays = figures["delays"]
    console.print(
        f"streams opened in {figures['open_seconds']:.1f} s; events process "
        f"{figures['rss_mb']:.0f} MB; PATCH /me → its event on each of the person's streams "
        f"p50 {percentile(delays, 50) * 1000:.1f} ms, p99 {percentile(delays, 99) * 1000:.1f} "
        f"ms ({len(delays):,} of {figures['expected']:,} delivered; streams closed early: "
        f"{figures['ended']:,})")
