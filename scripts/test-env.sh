# The environment of the test suite: its own database, Redis db and AMQP namespace,
# so tests never touch what `make run` uses.
export APP_ENV=test
export DATABASE_URL="${TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/movienexus_test}"
export REDIS_URL="${TEST_REDIS_URL:-redis://127.0.0.1:6379/1}"
export BROKER_URL="${TEST_BROKER_URL:-amqp://guest:guest@127.0.0.1:5672//}"
export AMQP_NAMESPACE="${TEST_AMQP_NAMESPACE:-movienexus_test}"
export PROJECTION_RETRY_BACKOFF=0.2
export PROJECTION_MAX_RETRIES=3
export REGISTER_RATE_LIMIT="10000 per hour"
# Limits that many tests share one key for (one account, or 127.0.0.1 over gunicorn);
# tests/integration/test_rate_limits.py checks each with low limits of its own.
export PASSWORD_CHANGE_RATE_LIMIT="10000 per hour"
export EMAIL_IP_RATE_LIMIT="10000 per hour"
export TMDB_LOOKUP_RATE_LIMIT="10000 per minute"
export MAIL_DIR=var/test-mail
export SEED_EMPTY_CATALOG=false
export RECOMMENDATIONS_DELAY_SECONDS=0.5
