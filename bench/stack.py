"""The system as `make run` serves it: honcho running the Procfile's lines, with their
logging through honcho's pipes, plus a `bare` line: the Procfile's api line, word for
word, serving bench/bare_app.py on another port. Whatever the api line costs (gunicorn's
workers, its access log, honcho reading it), the baseline pays too."""
from __future__ import annotations

import os
import signal
import subprocess
import tempfile
from pathlib import Path

from movienexus.devtools.processes import ROOT, VENV_BIN, free_port, procfile

API_WSGI_APP = "api.wsgi:app"
API_PORT_VARIABLE = "${API_PORT:-8000}"
PROCESSES = ("api", "bare", "relay", "people-worker", "reactions-worker", "catalog-worker",
             "beat", "flower", "smtp")


def bench_procfile(bare_port: int) -> str:
    """The Procfile with a `bare` line added (the api line on the bare app and port)."""
    lines = procfile()
    api = lines["api"].strip()
    if API_WSGI_APP not in api or API_PORT_VARIABLE not in api:
        raise RuntimeError(f"the Procfile's api line no longer reads {API_WSGI_APP} "
                           f"on {API_PORT_VARIABLE}: update bench/stack.py")
    bare = api.replace(API_WSGI_APP, "bench.bare_app:app").replace(API_PORT_VARIABLE,
                                                                   str(bare_port))
    return "".join(f"{name}: {line.strip()}\n" for name, line in
                   {**lines, "bare": bare}.items())


class HonchoStack:
    """`honcho start` of PROCESSES, as scripts/run.sh does, in its own process group."""

    def __init__(self, env: dict[str, str], log_dir: Path, extra: tuple[str, ...] = ()):
        """`extra`: more of the Procfile's lines to run (the streams benchmark's `events`)."""
        self.env, self.log_dir, self.processes = env, log_dir, (*PROCESSES, *extra)
        self.api_port, self.bare_port = free_port(), free_port()
        self.api_url = f"http://127.0.0.1:{self.api_port}"
        self.bare_url = f"http://127.0.0.1:{self.bare_port}"
        self.name = "honcho"
        self.popen: subprocess.Popen | None = None

    def start(self) -> "HonchoStack":
        procfile_path = Path(tempfile.mkdtemp(dir=self.log_dir)) / "Procfile"
        procfile_path.write_text(bench_procfile(self.bare_port))
        env = {**os.environ, **self.env, "API_PORT": str(self.api_port),
               "FLOWER_PORT": str(free_port()), "FLOWER_BASIC_AUTH": "bench:bench",
               "PATH": f"{VENV_BIN}:{os.environ['PATH']}"}
        self.log_path = self.log_dir / "honcho.log"
        self.log_file = open(self.log_path, "wb")
        self.popen = subprocess.Popen(
            [str(VENV_BIN / "honcho"), "start", "-d", str(ROOT), "-f", str(procfile_path),
             *self.processes], cwd=ROOT, env=env, stdout=self.log_file, stderr=subprocess.STDOUT,
            start_new_session=True)
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def assert_running(self) -> None:
        if self.popen.poll() is not None:
            raise AssertionError(f"honcho exited ({self.popen.returncode}):\n{self.log()}")

    def stop(self) -> None:
        if self.popen and self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout=10)
        self.log_file.close()
