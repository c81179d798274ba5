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
# The docs test opens /api/v1/docs in a real browser: Debian's chromium.
if ! command -v chromium >/dev/null; then
  echo "installing chromium (Debian package) for the Swagger UI browser test"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } \
    >/dev/null || {
    echo "could not install chromium: install it (apt-get install chromium) and run make test again" >&2
    exit 1; }
fi
pytest tests "$@"
# The locked dependencies against the published vulnerabilities: a known one fails the
# run; an unreachable vulnerability service is reported as NOT AUDITED and does not.
python -m movienexus.devtools.audit requirements/constraints.txt
