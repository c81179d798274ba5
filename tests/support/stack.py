"""The Procfile process runner, shared with the benchmarks."""
from movienexus.devtools.processes import (Process, free_port, procfile, restarts,  # noqa
                                           wait_for_worker, wait_http, worker_main_pid)
