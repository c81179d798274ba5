#!/usr/bin/env bash
# Benchmarks print figures beside a baseline measured in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
movienexus check-services
python -m bench "$@"
