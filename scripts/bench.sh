#!/usr/bin/env bash
# Benchmarks print figures beside a baseline measured in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
movienexus check-services
if ! command -v wrk >/dev/null; then
  echo "installing wrk (Debian package) for the read benchmark"
  { apt-get update -qq && apt-get install -y -qq wrk; } >/dev/null || {
    echo "could not install wrk: install it (apt-get install wrk) and run make bench again" >&2
    exit 1; }
fi
python -m bench "$@"
