"""Run the bundled TMDb-compatible server (``python -m tmdb_server``) for a test.

    with running_tmdb_server(seed=7, movies=2000, latency_ms=50) as tmdb:
        requests.get(f"{tmdb.base_url}/3/movie/popular", params={"api_key": tmdb.api_key})
        tmdb.set_faults(rate_429=0.5)
        tmdb.stats()["by_status"]

Keyword options become command-line flags (``rate_limit_per_second=5`` ->
``--rate-limit-per-second 5``; lists repeat the flag; ``True`` is a bare flag).
The server binds port 0, so two test processes never race for a port.
"""
from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Iterator

import requests

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_API_KEY = "movienexus-dev-key"
START_TIMEOUT_SECONDS = 20.0
_READY_LINE = re.compile(r"TMDb-compatible server on (http://\S+?:\d+) ")


class TmdbServerError(RuntimeError):
    """The server did not start, or a control call failed."""


class TmdbServer:
    """A running server: where it is, and its control API."""

    def __init__(self, base_url: str, api_key: str, process: subprocess.Popen[str]) -> None:
        self.base_url = base_url
        self.api_key = api_key
        self.process = process
        self.http = requests.Session()

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

    def get(self, path: str, **params: Any) -> requests.Response:
        """GET a TMDb path with this server's key (pass api_key=None to send none)."""
        params.setdefault("api_key", self.api_key)
        return self.http.get(self.url(path), params=params, timeout=10)

    def stats(self) -> dict[str, Any]:
        return self._control("get", "stats")

    def reset(self) -> dict[str, Any]:
        return self._control("post", "reset")

    def set_faults(self, **faults: Any) -> dict[str, Any]:
        return self._control("post", "faults", faults)

    def mutate(self, movie_id: int, **fields: Any) -> dict[str, Any]:
        return self._control("post", f"movies/{movie_id}", fields)

    def delete(self, movie_id: int) -> dict[str, Any]:
        return self._control("post", f"movies/{movie_id}/delete")

    def tick(self, steps: int = 1) -> dict[str, Any]:
        return self._control("post", "tick", {"steps": steps})

    def _control(self, method: str, path: str, body: dict[str, Any] | None = None
                 ) -> dict[str, Any]:
        response = self.http.request(method, self.url(f"__control/{path}"), json=body, timeout=10)
        if response.status_code != 200:
            raise TmdbServerError(f"{method.upper()} /__control/{path}: "
                                  f"{response.status_code} {response.text}")
        return response.json()


def command(**options: Any) -> list[str]:
    """The command line that starts the server with ``options``."""
    args = [sys.executable, "-m", "tmdb_server", "--host", "127.0.0.1", "--port", "0"]
    for name, value in options.items():
        flag = "--" + name.replace("_", "-")
        if value is True:
            args.append(flag)
        elif isinstance(value, (list, tuple)):
            for item in value:
                args += [flag, str(item)]
        elif value is not None and value is not False:
            args += [flag, str(value)]
    return args


@contextlib.contextmanager
def running_tmdb_server(**options: Any) -> Iterator[TmdbServer]:
    """Start the server as a subprocess, wait until it answers, stop it afterwards.

    ``api_key``/``api_keys`` name the accepted keys; ``.api_key`` is the first.
    """
    keys = _api_keys(options)
    process = subprocess.Popen(
        command(api_key=keys, **options), cwd=REPO_ROOT, env=_environment(),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8",
    )
    output = _OutputCollector(process)
    try:
        server = TmdbServer(_wait_until_ready(process, output), keys[0], process)
        yield server
    finally:
        _stop(process)


def _api_keys(options: dict[str, Any]) -> list[str]:
    single, several = options.pop("api_key", None), options.pop("api_keys", None)
    keys = list(several or []) + ([single] if single else [])
    return keys or [DEFAULT_API_KEY]


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env["PYTHONUNBUFFERED"] = "1"
    return env


class _OutputCollector:
    """Reads the subprocess's output on a thread, so the pipe never fills up."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(process,), daemon=True)
        self._thread.start()

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            self.lines.append(line)

    def text(self) -> str:
        return "".join(self.lines)


def _wait_until_ready(process: subprocess.Popen[str], output: _OutputCollector) -> str:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    base_url = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        base_url = base_url or _announced_url(output.text())
        if base_url and _answers(base_url):
            return base_url
        time.sleep(0.05)
    _stop(process)
    raise TmdbServerError(
        f"tmdb_server did not answer within {START_TIMEOUT_SECONDS:.0f} s "
        f"(exit code {process.poll()}). Output:\n{output.text()}")


def _announced_url(text: str) -> str | None:
    match = _READY_LINE.search(text)
    return match.group(1) if match else None


def _answers(base_url: str) -> bool:
    try:
        return requests.get(f"{base_url}/__control/stats", timeout=1).status_code == 200
    except requests.RequestException:
        return False


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
