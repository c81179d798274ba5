"""Starts the processes `make run` starts, from the same Procfile lines, as real
subprocesses: the tests and benchmarks exercise exactly what an operator runs."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]

VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(":", 1) for line in lines if line.strip() and ":" in line)


class Process:
    def __init__(self, name: str, env: dict[str, str], log_dir: Path):
        self.name, self.env = name, env
        self.log_path = log_dir / f"{name}-{os.getpid()}-{time.time_ns()}.log"
        self.popen: subprocess.Popen | None = None

    def start(self) -> "Process":
        command = procfile()[self.name].strip()
        env = {**os.environ, **self.env, "PATH": f"{VENV_BIN}:{os.environ['PATH']}"}
        self.log_file = open(self.log_path, "wb")
        self.popen = subprocess.Popen(["/bin/sh", "-c", f"exec {command}"], cwd=ROOT, env=env,
                                      stdout=self.log_file, stderr=subprocess.STDOUT,
                                      start_new_session=True)
        return self

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Signal the whole process group (a Celery worker and its pool children)."""
        if self.popen and self.popen.poll() is None:
            os.killpg(self.popen.pid, sig)
            self.popen.wait(timeout=30)

    def stop(self) -> None:
        if self.popen and self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log_file.close()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def assert_running(self) -> None:
        if self.popen.poll() is not None:
            raise AssertionError(f"{self.name} exited ({self.popen.returncode}):\n{self.log()}")


def wait_http(url: str, process: Process, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        process.assert_running()
        try:
            if requests.get(url, timeout=1).status_code < 500:
                return
        except requests.RequestException:
            time.sleep(0.2)
    raise AssertionError(f"{process.name} did not answer on {url}:\n{process.log()}")


def wait_for_worker(process: Process, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        process.assert_running()
        if " ready." in process.log_path.read_text(errors="replace"):  # the whole log: a
            return                                  # busy worker's tail scrolls past it
        time.sleep(0.2)
    raise AssertionError(f"worker not ready:\n{process.log()}")



def worker_main_pid(process: Process) -> int:
    """The Celery main process of a worker started from the Procfile: the child of its
    keeper (`python -m movienexus.devtools.respawn celery …`), or the process itself."""
    with open(f"/proc/{process.popen.pid}/cmdline", "rb") as cmdline:
        if b"movienexus.devtools.respawn" not in cmdline.read():
            return process.popen.pid
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = subprocess.run(["pgrep", "-P", str(process.popen.pid)], capture_output=True,
                               text=True).stdout.split()
        if found:
            return int(found[0])
        time.sleep(0.05)
    raise AssertionError(f"{process.name}: its keeper runs no worker")


def restarts(process: Process) -> int:
    """How often the keeper started the worker again (the worker exited on its own)."""
    return process.log_path.read_text(errors="replace").count("starting it again")
