#!/usr/bin/env bash
# Starts the whole system with honcho: API, relay, worker, beat, Flower, the SMTP
# sink and, when no TMDb key is set, the bundled TMDb-compatible server.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
mkdir -p var/mail var/prometheus
rm -f var/prometheus/*.db
export PROMETHEUS_MULTIPROC_DIR="${PROMETHEUS_MULTIPROC_DIR:-$PWD/var/prometheus}"

if ! movienexus check-services; then
  echo "make run needs PostgreSQL, Redis and RabbitMQ; start the one(s) named above." >&2
  exit 1
fi
movienexus db create
movienexus db upgrade

# Flower always asks for a login; in development make one up when none is set.
if [ -z "${FLOWER_BASIC_AUTH:-}" ]; then
  export FLOWER_BASIC_AUTH="dev:$(python -c 'import secrets; print(secrets.token_urlsafe(12))')"
  echo "  Flower login $FLOWER_BASIC_AUTH   (set FLOWER_BASIC_AUTH to choose one)"
fi

processes=(api events relay people-worker reactions-worker catalog-worker beat flower smtp)
if [ -z "${TMDB_API_KEY:-}${TMDB_READ_TOKEN:-}" ]; then processes+=(tmdb); fi
movienexus urls
echo "  processes    ${processes[*]}   (Ctrl-C stops them all)"
exec honcho start -f Procfile "${processes[@]}"
