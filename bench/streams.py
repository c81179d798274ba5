"""`python -m bench streams`: GET /me/events at scale.

STREAMS concurrent event streams (spread over PEOPLE people) held open on the `events`
process, beside gunicorn's API, the relay and the people lane's worker from the
Procfile. Measured: how long opening them all takes, the events process's memory, the
delay from a PATCH /me's answer to its event on every stream of that person (beside the
same write's PATCH → GET /me lag, the projection's own, as the baseline), and GET /me's
latency with no stream open (baseline) and with all of them open: the streams must not
take the API's workers."""
from __future__ import annotations

import asyncio
import logging
import threading
import time
import uuid
from pathlib import Path

from tornado.httpclient import AsyncHTTPClient, HTTPRequest

from bench import lanes
from bench.catalog_env import fresh_container, fresh_settings
from bench.environment import process_env, start_api, start_worker
from bench.pipeline import percentile
from movienexus.devtools.processes import Process, free_port, wait_http

STREAMS, PEOPLE, WRITES_PER_PERSON, READS = 1000, 50, 3, 300


class Person(lanes.Person):
    """A registered, logged-in person (bench/lanes.py) whose streams note arrivals."""

    def __init__(self, api_url: str):
        super().__init__(api_url)
        self.token = self.http.headers["Authorization"].split()[1]
        self.arrivals: dict[str, list[float]] = {}

    def write(self, bio: str) -> tuple[float, float]:
        """(when the PATCH answered, seconds until GET /me showed it)."""
        self.arrivals[bio] = []
        self.http.patch(f"{self.url}/me", json={"profile": {"bio": bio}}).raise_for_status()
        answered = time.perf_counter()
        while self.http.get(f"{self.url}/me").json()["profile"].get("bio") != bio:
            pass
        return answered, time.perf_counter() - answered


class Streams:
    """STREAMS tornado streaming requests on an event loop in a thread of their own."""

    def __init__(self, url: str, people: list[Person]):
        self.url, self.people, self.opened = url, people, 0
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()

    def open_all(self) -> float:
        started = time.perf_counter()
        asyncio.run_coroutine_threadsafe(self._open(), self.loop)
        while self.opened < STREAMS:
            time.sleep(0.05)
        return time.perf_counter() - started

    async def _open(self) -> None:
        client = AsyncHTTPClient(max_clients=STREAMS + 10)
        for n in range(STREAMS):
            person = self.people[n % len(self.people)]
            asyncio.ensure_future(client.fetch(HTTPRequest(
                self.url, headers={"Authorization": f"Bearer {person.token}"},
                request_timeout=3600, header_callback=self._header,
                streaming_callback=lambda chunk, p=person: self._chunk(p, chunk)),
                raise_error=False))

    def _header(self, line: str) -> None:
        if line.startswith("HTTP/"):
            self.opened += 1

    def _chunk(self, person: Person, chunk: bytes) -> None:
        now = time.perf_counter()
        for bio in list(person.arrivals):
            if bio.encode() in chunk:
                person.arrivals[bio].append(now)


def _reads(person: Person) -> list[float]:
    timings = []
    for _ in range(READS):
        started = time.perf_counter()
        person.http.get(f"{person.url}/me").raise_for_status()
        timings.append(time.perf_counter() - started)
    return timings


def _rss_mb(process: Process) -> float:
    import subprocess
    out = subprocess.run(["ps", "-o", "rss=", "--ppid", str(process.popen.pid), "-p",
                          str(process.popen.pid)], capture_output=True, text=True).stdout
    return sum(int(v) for v in out.split()) / 1024


def main(log_dir: Path) -> dict:
    from tests.support.smtp import start_smtp
    logging.getLogger("tornado").setLevel(logging.CRITICAL)  # streams closed at the end
    settings = fresh_settings("movienexus_bench_streams", "http://127.0.0.1:1")
    fresh_container(settings)
    smtp_port = free_port()
    smtp, _inbox = start_smtp(smtp_port)
    env = process_env(settings, smtp_port)
    events_port = free_port()
    events = Process("events", {**env, "EVENTS_PORT": str(events_port)}, log_dir).start()
    processes = [events, Process("relay", env, log_dir).start(),
                 start_worker(env, log_dir, "people")]
    try:
        wait_http(f"http://127.0.0.1:{events_port}/healthz", events)
        api, url = start_api(env, log_dir)
        processes.append(api)
        people = [Person(url) for _ in range(PEOPLE)]
        _reads(people[0])  # warm: the baseline is not a cold start
        reads_alone = _reads(people[0])
        streams = Streams(f"http://127.0.0.1:{events_port}/api/v1/me/events", people)
        open_seconds = streams.open_all()
        time.sleep(1.0)
        reads_streaming = _reads(people[0])
        delays, lags = [], []
        for n in range(WRITES_PER_PERSON):
            for person in people:
                bio = f"stream bio {n} {uuid.uuid4().hex[:8]}"
                answered, lag = person.write(bio)
                lags.append(lag)
                deadline = time.perf_counter() + 10
                expected = STREAMS // PEOPLE
                while len(person.arrivals[bio]) < expected and time.perf_counter() < deadline:
                    time.sleep(0.001)
                delays += [t - answered for t in person.arrivals[bio]]
        rss = _rss_mb(events)
    finally:
        for process in processes:
            process.stop()
        smtp.stop()
    return {"open_seconds": open_seconds, "reads_alone": reads_alone,
            "reads_streaming": reads_streaming, "delays": delays, "lags": lags,
            "expected": WRITES_PER_PERSON * STREAMS, "rss_mb": rss}


def report(figures: dict, console) -> None:
    from rich.table import Table
    table = Table(title=f"Event streams: {STREAMS:,} open on the events process, "
                        f"{PEOPLE} people")
    table.add_column("measure")
    table.add_column("value", justify="right")
    ms = lambda s: f"{s * 1000:.1f} ms"  # noqa: E731
    table.add_row("streams opened in", f"{figures['open_seconds']:.1f} s")
    table.add_row("events process memory", f"{figures['rss_mb']:.0f} MB")
    alone, streaming = (percentile(figures[k], 50) for k in ("reads_alone", "reads_streaming"))
    table.add_row("GET /me p50, no stream open (baseline)", ms(alone))
    table.add_row("GET /me p50, all streams open", ms(streaming))
    table.add_row("ratio (aim ≤ 1.10)", f"{streaming / alone:.2f}")
    table.add_row("PATCH /me → GET /me shows it p50 (baseline)", ms(percentile(figures["lags"], 50)))
    delays = figures["delays"]
    table.add_row("PATCH /me → event on each stream p50", ms(percentile(delays, 50)))
    table.add_row("PATCH /me → event on each stream p99", ms(percentile(delays, 99)))
    table.add_row("events delivered / expected", f"{len(delays):,} / {figures['expected']:,}")
    console.print(table)
