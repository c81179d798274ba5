"""Load from `wrk`: a URL list walked round-robin by a Lua script, figures from wrk's
own latency histogram (requests/s, p50, p99, errors)."""
from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

CONNECTIONS = 16
THREADS = 2

LUA = """
local paths = {%(paths)s}
local headers = {%(headers)s}
local n = 0
request = function()
  n = n + 1
  local i = (n %% #paths) + 1
  if #headers > 0 then
    return wrk.format("GET", paths[i], {["Authorization"] = headers[(n %% #headers) + 1]})
  end
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %%d %%d %%d %%d %%d %%d\\n", summary.requests,
    summary.duration, latency:percentile(50), latency:percentile(99), e.status,
    e.connect + e.read + e.write + e.timeout))
end
"""
_RESULT = re.compile(r"^RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)$", re.MULTILINE)


@dataclass(frozen=True)
class Load:
    requests: int
    rate: float          # requests per second
    p50_ms: float
    p99_ms: float
    bad_status: int      # non-2xx/3xx answers
    socket_errors: int


def require_wrk() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("the read benchmark needs wrk: apt-get install -y wrk")
    return found


def _quoted(values: list[str]) -> str:
    return ",".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values)


def run(base_url: str, paths: list[str], seconds: int, work_dir: Path,
        authorizations: list[str] | None = None) -> Load:
    """`authorizations`: Authorization header values, taken in turn (none: no header)."""
    script = work_dir / f"paths-{abs(hash((tuple(paths), tuple(authorizations or ()))))}.lua"
    script.write_text(LUA % {"paths": _quoted(paths), "headers": _quoted(authorizations or [])})
    out = subprocess.run([require_wrk(), f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s",
                          "-s", str(script), base_url], capture_output=True, text=True,
                         check=True).stdout
    match = _RESULT.search(out)
    if match is None:
        raise RuntimeError(f"wrk printed no result:\n{out}")
    requests, duration_us, p50, p99, bad, errors = (int(g) for g in match.groups())
    return Load(requests, requests / (duration_us / 1e6), p50 / 1000, p99 / 1000, bad, errors)
