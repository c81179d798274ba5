"""Keeps one process running: starts it again when it exits on its own.

honcho (`make run`) stops the whole system when any process exits. A Celery worker's
main process can exit on its own when it reconnects to the broker right after its pool
processes died (celery/celery#9250, with worker_cancel_long_running_tasks_on_connection_loss);
nothing would then consume its lane. The worker runs under `movienexus respawn`, which
starts it again after a short, growing pause. The child stays in the wrapper's process
group, and a stop is sent to the group (honcho, the tests and a terminal's Ctrl-C all
signal the group): the child stops as it always did, and the wrapper, signalled too,
exits with it instead of starting it again. The wrapper does not forward the signal,
which would deliver it twice (a second Ctrl-C makes Celery's shutdown a cold one).
"""
from __future__ import annotations

import logging
import signal
import subprocess
import time
from typing import Callable, Sequence

log = logging.getLogger(__name__)

STOPS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)
FIRST_PAUSE, LONGEST_PAUSE = 0.5, 30.0
STEADY_SECONDS = 60.0        # a run this long resets the pause to FIRST_PAUSE


class Respawner:
    def __init__(self, argv: Sequence[str], sleep: Callable[[float], None] = time.sleep):
        self.argv, self.sleep = list(argv), sleep
        self.stopping = False
        self.child: subprocess.Popen | None = None

    def stop(self, _signum: int, _frame=None) -> None:
        self.stopping = True

    def run(self) -> int:
        for signum in STOPS:
            signal.signal(signum, self.stop)
        pause = FIRST_PAUSE
        while True:
            started = time.monotonic()
            self.child = subprocess.Popen(self.argv)
            code = self.child.wait()
            if self.stopping:
                return code
            ran = time.monotonic() - started
            pause = FIRST_PAUSE if ran >= STEADY_SECONDS else min(pause * 2, LONGEST_PAUSE)
            log.warning("%s exited with %s after %.1f s; starting it again in %.1f s",
                        self.argv[0], code, ran, pause)
            self.sleep(pause)
            if self.stopping:
                return code


def main(argv: Sequence[str]) -> int:
    """`python -m movienexus.devtools.respawn <command> [args…]` (no app import: light)."""
    if not argv:
        raise SystemExit("usage: python -m movienexus.devtools.respawn <command> [args…]")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s respawn: %(message)s")
    code = Respawner(argv).run()
    return 128 - code if code < 0 else code     # a signal's death, as a shell reports it


if __name__ == "__main__":
    import sys
    sys.exit(main(sys.argv[1:]))
