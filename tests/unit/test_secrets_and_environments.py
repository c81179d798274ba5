"""Outside an explicit development or test environment nothing published may sign or
unlock anything: the known default secrets, short secrets, default passwords in URLs
and the bundled TMDb server are refused at start-up. The deployment files take their
secrets from the environment and publish ports on 127.0.0.1 only."""
import re
from dataclasses import replace

import pytest

from movienexus.config import (DEV_EMAIL_TOKEN_SECRET, DEV_JWT_SECRET, KNOWN_DEFAULT_SECRETS,
                               ConfigError, Settings)
from tests.support.env import ROOT
from tests.support.stack import procfile

STRICT_ENVIRONMENTS = ["production", "staging", "Production", "DEVELOPMENT", "dev", ""]
SECRET = "a-secret-of-our-own-that-is-long-enough-0123"


def good(app_env: str = "production") -> Settings:
    return Settings(app_env=app_env, jwt_secret_key=SECRET, email_token_secret=SECRET[::-1],
                    tmdb_api_key="a-real-key", flower_basic_auth="ops:" + SECRET,
                    database_url="postgresql+psycopg://app:" + SECRET + "@db/movienexus",
                    broker_url="amqp://app:" + SECRET + "@mq//")


def env_example() -> dict[str, str]:
    lines = (ROOT / ".env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


@pytest.mark.parametrize("app_env", STRICT_ENVIRONMENTS)
def test_a_real_configuration_starts_anywhere(app_env):
    good(app_env).validate()


@pytest.mark.parametrize("app_env", ["development", "test"])
def test_development_and_test_accept_the_defaults(app_env):
    Settings(app_env=app_env, tmdb_api_key="", tmdb_base_url_raw="").validate()


DEFAULT_SECRETS = sorted(KNOWN_DEFAULT_SECRETS | {""})


@pytest.mark.parametrize("app_env", STRICT_ENVIRONMENTS)
@pytest.mark.parametrize("field,name", [("jwt_secret_key", "JWT_SECRET_KEY"),
                                        ("email_token_secret", "EMAIL_TOKEN_SECRET")])
@pytest.mark.parametrize("secret", DEFAULT_SECRETS)
def test_every_known_default_secret_is_refused_outside_development(app_env, field, name,
                                                                   secret):
    with pytest.raises(ConfigError, match=name):
        replace(good(app_env), **{field: secret}).validate()


@pytest.mark.parametrize("field,name", [("jwt_secret_key", "JWT_SECRET_KEY"),
                                        ("email_token_secret", "EMAIL_TOKEN_SECRET")])
def test_a_secret_under_32_bytes_is_refused(field, name):
    with pytest.raises(ConfigError, match=f"{name} must be at least 32 bytes"):
        replace(good(), **{field: "x" * 31}).validate()
    replace(good(), **{field: "x" * 32}).validate()


def test_the_email_key_must_not_be_the_jwt_key():
    with pytest.raises(ConfigError, match="EMAIL_TOKEN_SECRET must differ"):
        replace(good(), email_token_secret=SECRET).validate()


@pytest.mark.parametrize("field,url", [
    ("database_url", "postgresql+psycopg://postgres:postgres@db:5432/movienexus"),
    ("broker_url", "amqp://guest:guest@mq:5672//"),
    ("broker_url", "amqp://movienexus:change-me-rabbitmq-password@mq//"),
    ("redis_url", "redis://:change-me-postgres-password@redis:6379/0"),
])
def test_default_passwords_in_service_urls_are_refused(field, url):
    with pytest.raises(ConfigError, match="published default password"):
        replace(good(), **{field: url}).validate()


def test_a_default_flower_login_is_refused():
    with pytest.raises(ConfigError, match="FLOWER_BASIC_AUTH"):
        replace(good(), flower_basic_auth=env_example()["FLOWER_BASIC_AUTH"]).validate()


def test_the_bundled_tmdb_server_is_refused_outside_development():
    bundled = replace(good(), tmdb_api_key="", tmdb_read_token="", tmdb_base_url_raw="")
    with pytest.raises(ConfigError, match="bundled TMDb server"):
        bundled.validate()
    replace(bundled, tmdb_base_url_raw="https://tmdb-proxy.internal").validate()
    replace(bundled, tmdb_read_token="a-read-token").validate()


def test_every_secret_in_env_example_is_a_known_default():
    values = env_example()
    for name in ("JWT_SECRET_KEY", "EMAIL_TOKEN_SECRET", "POSTGRES_PASSWORD",
                 "RABBITMQ_PASSWORD", "FLOWER_BASIC_AUTH"):
        assert values[name] in KNOWN_DEFAULT_SECRETS, name
    assert {DEV_JWT_SECRET, DEV_EMAIL_TOKEN_SECRET} <= KNOWN_DEFAULT_SECRETS


def test_the_cache_has_a_redis_database_of_its_own():
    settings = Settings(redis_url="redis://127.0.0.1:6379/0", cache_redis_url_raw="")
    assert settings.cache_redis_url == "redis://127.0.0.1:6379/8"
    assert replace(settings, redis_url="redis://h:1/3").cache_redis_url == "redis://h:1/11"
    assert replace(settings, cache_redis_url_raw="redis://c:6379/0").cache_redis_url == \
        "redis://c:6379/0"


# --- deployment files --------------------------------------------------------------------

COMPOSE = (ROOT / "docker-compose.yml").read_text()
COMPOSE_SECRETS = ("JWT_SECRET_KEY", "EMAIL_TOKEN_SECRET", "POSTGRES_PASSWORD",
                   "RABBITMQ_USER", "RABBITMQ_PASSWORD", "FLOWER_BASIC_AUTH")


def test_compose_publishes_ports_on_localhost_only():
    published = re.findall(r'"([^"]*:\d+)"', "".join(re.findall(r"ports: \[(.*)\]", COMPOSE)))
    assert published, "no ports found"
    assert all(port.startswith("127.0.0.1:") for port in published), published


def test_compose_takes_every_secret_from_the_environment():
    for name in COMPOSE_SECRETS:
        uses = re.findall(r"\$\{" + name + r"(:[?-])?", COMPOSE)
        assert uses and all(use == ":?" for use in uses), (name, uses)
    for published in ("compose-dev-secret", "guest:guest", "POSTGRES_PASSWORD: postgres",
                      "postgres:postgres@"):
        assert published not in COMPOSE
    assert "--basic-auth" in COMPOSE


def test_flower_asks_for_a_login():
    assert '--basic-auth="${FLOWER_BASIC_AUTH:?' in procfile()["flower"]


def test_the_bundled_tmdb_server_is_not_in_the_production_image_or_package():
    dockerfile = (ROOT / "Dockerfile").read_text()
    stages = re.split(r"^FROM ", dockerfile, flags=re.M)
    production = [s for s in stages if s.startswith("base AS production")]
    base = [s for s in stages if " AS base" in s.split("\n", 1)[0]]
    assert production and base and stages[-1] == production[0]  # the default target
    assert "tmdb_server" not in base[0] + production[0]
    setup = (ROOT / "setup.cfg").read_text()
    include = setup.split("[options.packages.find]", 1)[1].split("[", 1)[0]
    assert "tmdb_server*" not in [line.strip() for line in include.splitlines()]


def test_the_image_holds_every_package_and_the_built_web_app():
    """A package left out of the image imports nowhere but in production."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    base = re.split(r"^FROM ", dockerfile, flags=re.M)
    base = next(s for s in base if " AS base" in s.split("\n", 1)[0])
    setup = (ROOT / "setup.cfg").read_text()
    include = setup.split("[options.packages.find]", 1)[1].split("[", 1)[0]
    packages = [line.strip().rstrip("*") for line in include.splitlines()
                if line.strip() and not line.strip().startswith(("#", "include"))]
    assert packages
    for package in packages:
        assert f"COPY {package} ./{package}" in base, f"{package} is not in the image"
    assert "COPY --from=frontend /build/web/dist ./web/dist" in base
    assert "npm ci" in dockerfile
