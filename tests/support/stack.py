"""The Procfile process runner, shared with the benchmarks."""
from movienexus.devtools.processes import (Process, free_port, procfile, wait_for_worker,  # noqa
                                           wait_http)
