"""Every setting of Movie Nexus, read from the environment in this one place.

Defaults are for development on a machine where PostgreSQL, Redis and RabbitMQ
listen on their standard localhost ports. The README lists each variable.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

BUNDLED_TMDB_KEY = "movienexus-dev-key"
# The reference web app as `npm run build` leaves it (make run and make test build it).
WEB_APP_BUILD = Path(__file__).resolve().parents[1] / "web" / "dist"
DEV_JWT_SECRET = "dev-only-secret-change-me-in-production-0123456789"
DEV_EMAIL_TOKEN_SECRET = "dev-only-email-token-secret-change-me-0123456789"
# Environments in which development defaults are allowed: exactly these names. Any
# other APP_ENV (production, staging, "Production", a typo) gets the strict checks.
DEVELOPMENT_ENVIRONMENTS = ("development", "test")
MIN_SECRET_BYTES = 32
# Secrets anyone can read in this repository: the development defaults, the value the
# compose file used to default to, and the placeholders of .env.example (a unit test
# keeps this list and .env.example in step). None of them may sign anything outside
# development.
KNOWN_DEFAULT_SECRETS = frozenset({
    DEV_JWT_SECRET, DEV_EMAIL_TOKEN_SECRET,
    "compose-dev-secret-change-me-0123456789abcdef",
    "change-me-jwt-secret-at-least-32-bytes-long",
    "change-me-email-token-secret-at-least-32-bytes",
    "change-me-postgres-password", "change-me-rabbitmq-password",
    "admin:change-me-flower-password", "change-me-flower-password",
    "guest", "postgres", "password", "secret", "changeme",
})
# The Redis database the caches use when CACHE_REDIS_URL is not set: REDIS_URL's own
# database plus this (so the tests' databases 1..7 map to 9..15).
CACHE_DB_OFFSET = 8


class ConfigError(RuntimeError):
    """The environment does not describe a process that may start."""


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from exc


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number, not {raw!r}") from exc


def _list(name: str, default: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in _env(name, default).split(",") if part.strip())


@dataclass(frozen=True)
class Settings:
    app_env: str = field(default_factory=lambda: _env("APP_ENV", "development"))
    log_level: str = field(default_factory=lambda: _env("LOG_LEVEL", "INFO"))
    database_url: str = field(default_factory=lambda: _env(
        "DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/movienexus"))
    redis_url: str = field(default_factory=lambda: _env("REDIS_URL", "redis://127.0.0.1:6379/0"))
    broker_url: str = field(default_factory=lambda: _env(
        "BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//"))
    # Prefix of every exchange and queue name, so two deployments (or the tests)
    # can share one RabbitMQ without taking each other's messages.
    amqp_namespace: str = field(default_factory=lambda: _env("AMQP_NAMESPACE", "movienexus"))
    smtp_host: str = field(default_factory=lambda: _env("SMTP_HOST", "127.0.0.1"))
    smtp_port: int = field(default_factory=lambda: _int("SMTP_PORT", 1025))
    mail_from: str = field(default_factory=lambda: _env(
        "MAIL_FROM", "Movie Nexus <no-reply@movienexus.local>"))
    mail_dir: str = field(default_factory=lambda: _env("MAIL_DIR", "var/mail"))
    web_app_dir: str = field(default_factory=lambda: _env("WEB_APP_DIR", str(WEB_APP_BUILD)))
    jwt_secret_key: str = field(default_factory=lambda: _env("JWT_SECRET_KEY", DEV_JWT_SECRET))
    email_token_secret: str = field(default_factory=lambda: _env(
        "EMAIL_TOKEN_SECRET", DEV_EMAIL_TOKEN_SECRET))
    # Caches (search pages, asked searches, TMDb misses) live apart from the live-session
    # records and the read documents; empty means REDIS_URL's host, database + 8.
    cache_redis_url_raw: str = field(default_factory=lambda: _env("CACHE_REDIS_URL", ""))
    flower_basic_auth: str = field(default_factory=lambda: _env("FLOWER_BASIC_AUTH", ""))
    trusted_proxy_count: int = field(default_factory=lambda: _int("TRUSTED_PROXY_COUNT", 0))
    access_token_minutes: float = field(default_factory=lambda: _float("ACCESS_TOKEN_MINUTES", 15))
    refresh_token_days: int = field(default_factory=lambda: _int("REFRESH_TOKEN_DAYS", 30))
    verify_token_hours: int = field(default_factory=lambda: _int("VERIFY_TOKEN_HOURS", 48))
    reset_token_minutes: int = field(default_factory=lambda: _int("RESET_TOKEN_MINUTES", 60))
    tmdb_api_key: str = field(default_factory=lambda: _env("TMDB_API_KEY", ""))
    tmdb_read_token: str = field(default_factory=lambda: _env("TMDB_READ_TOKEN", ""))
    tmdb_base_url_raw: str = field(default_factory=lambda: _env("TMDB_BASE_URL", ""))
    tmdb_rate_limit: float = field(default_factory=lambda: _float("TMDB_RATE_LIMIT", 40.0))
    tmdb_server_port: int = field(default_factory=lambda: _int("TMDB_SERVER_PORT", 8001))
    cors_origins: tuple[str, ...] = field(default_factory=lambda: _list(
        "CORS_ORIGINS", "http://localhost:3000,http://127.0.0.1:3000"))
    public_base_url: str = field(default_factory=lambda: _env(
        "PUBLIC_BASE_URL", "http://127.0.0.1:8000"))
    api_host: str = field(default_factory=lambda: _env("API_HOST", "127.0.0.1"))
    api_port: int = field(default_factory=lambda: _int("API_PORT", 8000))
    flower_port: int = field(default_factory=lambda: _int("FLOWER_PORT", 5555))
    rate_limits_enabled: bool = field(
        default_factory=lambda: _env("RATE_LIMITS_ENABLED", "true").lower() != "false")
    login_rate_limit: str = field(default_factory=lambda: _env(
        "LOGIN_RATE_LIMIT", "10 per minute"))
    login_ip_rate_limit: str = field(default_factory=lambda: _env(
        "LOGIN_IP_RATE_LIMIT", "100 per minute"))
    register_rate_limit: str = field(default_factory=lambda: _env(
        "REGISTER_RATE_LIMIT", "20 per hour"))
    email_rate_limit: str = field(default_factory=lambda: _env(
        "EMAIL_RATE_LIMIT", "5 per hour"))
    email_address_rate_limit: str = field(default_factory=lambda: _env(
        "EMAIL_ADDRESS_RATE_LIMIT", "20 per hour"))
    email_ip_rate_limit: str = field(default_factory=lambda: _env(
        "EMAIL_IP_RATE_LIMIT", "30 per hour"))
    password_change_rate_limit: str = field(default_factory=lambda: _env(
        "PASSWORD_CHANGE_RATE_LIMIT", "5 per 15 minutes"))
    tmdb_lookup_rate_limit: str = field(default_factory=lambda: _env(
        "TMDB_LOOKUP_RATE_LIMIT", "30 per minute"))
    request_import_budget: str = field(default_factory=lambda: _env(
        "REQUEST_IMPORT_BUDGET", "1200 per minute"))
    tmdb_missing_seconds: int = field(
        default_factory=lambda: _int("TMDB_MISSING_SECONDS", 3600))
    search_cache_max_pages: int = field(
        default_factory=lambda: _int("SEARCH_CACHE_MAX_PAGES", 5000))
    consistency_wait_seconds: float = field(
        default_factory=lambda: _float("CONSISTENCY_WAIT_SECONDS", 2.0))
    relay_batch_size: int = field(default_factory=lambda: _int("RELAY_BATCH_SIZE", 500))
    relay_partitions: int = field(default_factory=lambda: _int("RELAY_PARTITIONS", 2))
    relay_poll_seconds: float = field(default_factory=lambda: _float("RELAY_POLL_SECONDS", 1.0))
    projection_max_retries: int = field(
        default_factory=lambda: _int("PROJECTION_MAX_RETRIES", 5))
    projection_retry_backoff: float = field(
        default_factory=lambda: _float("PROJECTION_RETRY_BACKOFF", 1.0))
    # The catch-up sweeper (read_models/sweeper.py): how often beat runs it per lane,
    # how far below its watermark it looks for late commits, and how old an event must
    # be before the sweeper (rather than the broker) delivers it.
    sweep_every: float = field(default_factory=lambda: _float("SWEEP_EVERY", 5.0))
    sweep_lookback: int = field(default_factory=lambda: _int("SWEEP_LOOKBACK", 10_000))
    sweep_grace: float = field(default_factory=lambda: _float("SWEEP_GRACE", 2.0))
    # "classic" or "quorum" (a RabbitMQ cluster: set it before the queues first exist)
    amqp_queue_type: str = field(default_factory=lambda: _env("AMQP_QUEUE_TYPE", "classic"))
    # How long a person's own read waits for their last write to be projected before
    # the API projects it itself (then answers, fresh, either way).
    own_write_wait_seconds: float = field(
        default_factory=lambda: _float("OWN_WRITE_WAIT_SECONDS", 0.05))
    # Where gunicorn writes the API's access log (gunicorn.conf.py): a file by default,
    # so that `make run` does not pass every line through honcho's pipe (~30 % of read
    # throughput); "-" is stdout.
    access_log: str = field(default_factory=lambda: _env("ACCESS_LOG", "var/log/access.log"))
    # The hot reads (api/hot_reads.py) answer the most-asked GETs in front of Flask;
    # "false" sends every request through the Flask app (same answers, slower).
    hot_reads_enabled: bool = field(
        default_factory=lambda: _env("HOT_READS", "true").lower() != "false")
    # Library: a person's recommendations are recomputed at their first library change,
    # then at most once per this many seconds (later changes join the next run); and the
    # period of the beat
    # fold of movie counter deltas (a safety net: each favorite event folds them too).
    recommendations_delay_seconds: float = field(
        default_factory=lambda: _float("RECOMMENDATIONS_DELAY_SECONDS", 30.0))
    counters_fold_every: float = field(
        default_factory=lambda: _float("COUNTERS_FOLD_EVERY", 10.0))
    seed_empty_catalog: bool = field(
        default_factory=lambda: _env("SEED_EMPTY_CATALOG", "true").lower() != "false")
    beat_lock_id: int = field(default_factory=lambda: _int("BEAT_LOCK_ID", 7_311_2024))
    # TMDb catalog syncs (catalog_sync/, workers/sync_tasks.py): pages per curated list,
    # how many list movies get recommendations/similar, parallel requests, the per-kind
    # lock, Celery retries on a TMDb outage, and how often beat runs each sync (seconds).
    sync_list_pages: int = field(default_factory=lambda: _int("SYNC_LIST_PAGES", 5))
    sync_related_limit: int = field(default_factory=lambda: _int("SYNC_RELATED_LIMIT", 100))
    sync_concurrency: int = field(default_factory=lambda: _int("SYNC_CONCURRENCY", 4))
    sync_lock_seconds: int = field(default_factory=lambda: _int("SYNC_LOCK_SECONDS", 1800))
    sync_max_retries: int = field(default_factory=lambda: _int("SYNC_MAX_RETRIES", 3))
    sync_retry_backoff: float = field(
        default_factory=lambda: _float("SYNC_RETRY_BACKOFF", 60.0))
    sync_genres_every: float = field(
        default_factory=lambda: _float("SYNC_GENRES_EVERY", 86_400.0))
    sync_lists_every: float = field(default_factory=lambda: _float("SYNC_LISTS_EVERY", 3_600.0))
    sync_trending_every: float = field(
        default_factory=lambda: _float("SYNC_TRENDING_EVERY", 3_600.0))
    sync_changes_every: float = field(
        default_factory=lambda: _float("SYNC_CHANGES_EVERY", 10_800.0))
    sync_related_every: float = field(
        default_factory=lambda: _float("SYNC_RELATED_EVERY", 86_400.0))
    # listed movies known from a list only get TMDb's full detail (catalog_sync/details.py)
    sync_details_every: float = field(
        default_factory=lambda: _float("SYNC_DETAILS_EVERY", 600.0))
    sync_details_limit: int = field(default_factory=lambda: _int("SYNC_DETAILS_LIMIT", 1000))
    # library imports (library_transfer/): what an uploaded file may be, and the batch size
    import_max_bytes: int = field(default_factory=lambda: _int("IMPORT_MAX_BYTES", 20 << 20))
    import_max_unpacked_bytes: int = field(
        default_factory=lambda: _int("IMPORT_MAX_UNPACKED_BYTES", 50 << 20))
    import_max_rows: int = field(default_factory=lambda: _int("IMPORT_MAX_ROWS", 20_000))
    import_max_line_bytes: int = field(
        default_factory=lambda: _int("IMPORT_MAX_LINE_BYTES", 64 << 10))
    import_batch_size: int = field(default_factory=lambda: _int("IMPORT_BATCH_SIZE", 200))
    # an import that keeps failing for its own reasons: tries, and the backoff's first step
    import_max_attempts: int = field(default_factory=lambda: _int("IMPORT_MAX_ATTEMPTS", 5))
    import_retry_backoff: float = field(
        default_factory=lambda: _float("IMPORT_RETRY_BACKOFF", 5.0))
    # the event stream process (api/stream): GET /me/events
    events_host: str = field(default_factory=lambda: _env("EVENTS_HOST", "127.0.0.1"))
    events_port: int = field(default_factory=lambda: _int("EVENTS_PORT", 8002))
    events_heartbeat_seconds: float = field(
        default_factory=lambda: _float("EVENTS_HEARTBEAT_SECONDS", 15.0))
    events_replay_limit: int = field(default_factory=lambda: _int("EVENTS_REPLAY_LIMIT", 1000))
    events_public_url_raw: str = field(default_factory=lambda: _env("EVENTS_PUBLIC_URL", ""))

    @property
    def is_development(self) -> bool:
        """Only an exact `development` or `test` allows the development defaults."""
        return self.app_env in DEVELOPMENT_ENVIRONMENTS

    @property
    def events_public_url(self) -> str:
        """The origin browsers reach the event stream at (EVENTS_PUBLIC_URL; by default
        the events process's own address)."""
        return (self.events_public_url_raw
                or f"http://{self.events_host}:{self.events_port}").rstrip("/")

    @property
    def cache_redis_url(self) -> str:
        if self.cache_redis_url_raw:
            return self.cache_redis_url_raw
        base, _, db = self.redis_url.rpartition("/")
        if not db.isdigit():
            return self.redis_url
        return f"{base}/{(int(db) + CACHE_DB_OFFSET) % 16}"

    @property
    def uses_bundled_tmdb(self) -> bool:
        return not (self.tmdb_has_credentials or self.tmdb_base_url_raw)

    @property
    def tmdb_has_credentials(self) -> bool:
        return bool(self.tmdb_api_key or self.tmdb_read_token)

    @property
    def tmdb_base_url(self) -> str:
        """The real TMDb when a key is set and no URL is, else the bundled server."""
        if self.tmdb_base_url_raw:
            return self.tmdb_base_url_raw.rstrip("/")
        if self.tmdb_has_credentials:
            return "https://api.themoviedb.org"
        return f"http://127.0.0.1:{self.tmdb_server_port}"

    @property
    def tmdb_client_api_key(self) -> str:
        """The key the client sends: the operator's, or the bundled server's dev key."""
        if self.tmdb_has_credentials:
            return self.tmdb_api_key
        return BUNDLED_TMDB_KEY

    def validate(self) -> "Settings":
        if self.amqp_queue_type not in ("classic", "quorum"):
            raise ConfigError("AMQP_QUEUE_TYPE must be classic or quorum, "
                              f"not {self.amqp_queue_type!r}")
        if self.is_development:
            return self
        for problem in self._strict_problems():
            raise ConfigError(f"APP_ENV={self.app_env!r} is not development or test: "
                              f"{problem}")
        return self

    def _strict_problems(self):
        """What may not start outside development, one sentence each."""
        for name, value in (("JWT_SECRET_KEY", self.jwt_secret_key),
                            ("EMAIL_TOKEN_SECRET", self.email_token_secret)):
            if value in KNOWN_DEFAULT_SECRETS or not value:
                yield f"{name} is unset or a published default; set a secret of your own."
            elif len(value.encode()) < MIN_SECRET_BYTES:
                yield f"{name} must be at least {MIN_SECRET_BYTES} bytes long."
        if self.jwt_secret_key == self.email_token_secret:
            yield "EMAIL_TOKEN_SECRET must differ from JWT_SECRET_KEY."
        for name, url in (("DATABASE_URL", self.database_url), ("REDIS_URL", self.redis_url),
                          ("CACHE_REDIS_URL", self.cache_redis_url),
                          ("BROKER_URL", self.broker_url)):
            if _url_password(url) in KNOWN_DEFAULT_SECRETS:
                yield f"{name} uses a published default password; set one of your own."
        if self.flower_basic_auth in KNOWN_DEFAULT_SECRETS or \
                self.flower_basic_auth.partition(":")[2] in KNOWN_DEFAULT_SECRETS:
            yield "FLOWER_BASIC_AUTH is a published default; set user:password of your own."
        if self.uses_bundled_tmdb:
            yield ("the bundled TMDb server is for development only; set TMDB_API_KEY or "
                   "TMDB_READ_TOKEN (or TMDB_BASE_URL).")


def _url_password(url: str) -> str | None:
    try:
        return urlsplit(url).password
    except ValueError:
        return None


def load() -> Settings:
    return Settings().validate()
