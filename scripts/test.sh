#!/usr/bin/env bash
# Runs every test tier against the real PostgreSQL, Redis and RabbitMQ.
# A service that does not answer fails the run; nothing is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
source scripts/test-env.sh

if ! movienexus check-services; then
  echo "make test needs PostgreSQL, Redis and RabbitMQ: FAILED (start the one(s) named above)." >&2
  exit 1
fi
echo "layers: lint-imports (.importlinter)"
lint-imports --no-cache >/dev/null || { lint-imports --no-cache; exit 1; }
movienexus db create
movienexus db upgrade
pytest tests "$@"
