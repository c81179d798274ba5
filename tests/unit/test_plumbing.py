"""Pure pieces of the plumbing: the version gate, tokens, error shapes, retry delays."""
import pytest

from api.errors import flatten_validation
from movienexus.config import ConfigError, Settings
from read_models.queries.consistency import ConsistencyToken, MalformedToken
from read_models.projections.framework import Outcome, gate
from workers.retry_policy import failure_delay, outage_delay


@pytest.mark.parametrize("applied, incoming, outcome", [
    (0, 1, Outcome.APPLIED), (3, 4, Outcome.APPLIED), (3, 3, Outcome.DUPLICATE),
    (3, 1, Outcome.DUPLICATE), (0, 2, Outcome.EARLY), (3, 9, Outcome.EARLY)])
def test_the_version_gate(applied, incoming, outcome):
    assert gate(applied, incoming) is outcome


def test_a_consistency_token_round_trips():
    token = ConsistencyToken(42, "user", "0b7c-11", 3)
    assert ConsistencyToken.parse(str(token)) == token


@pytest.mark.parametrize("raw", ["", "abc", "1.user.x", "1.user.x.y", "1.USER.x.2",
                                 "1.user.x;drop.2", "9" * 30 + ".user.x.1"])
def test_malformed_consistency_tokens_are_refused(raw):
    with pytest.raises(MalformedToken):
        ConsistencyToken.parse(raw)


def test_validation_messages_are_flattened_to_field_names():
    nested = {"json": {"email": ["Missing."], "profile": {"bio": ["Too long."]}}}
    assert flatten_validation(nested) == {"email": ["Missing."], "profile.bio": ["Too long."]}


def test_body_level_messages_keep_their_location():
    assert flatten_validation({"json": ["Invalid JSON body."]}) == {
        "json": ["Invalid JSON body."]}


def test_failure_delays_grow_and_stay_jittered_within_bounds():
    for failures in range(6):
        step = 2 ** failures
        assert step / 2 <= failure_delay(failures, 1.0) <= step
    assert failure_delay(30, 1.0, cap=60) <= 60


def test_outage_delays_start_short_and_stay_capped():
    assert outage_delay(0) <= 0.25
    assert all(0 < outage_delay(n) <= 10.0 for n in range(40))


def test_production_refuses_the_development_secret():
    with pytest.raises(ConfigError, match="JWT_SECRET_KEY"):
        Settings(app_env="production").validate()


def test_production_accepts_real_secrets():
    Settings(app_env="production", jwt_secret_key="s" * 40, email_token_secret="e" * 40,
             tmdb_api_key="k", broker_url="amqp://app:" + "p" * 20 + "@mq//").validate()


def test_bundled_tmdb_server_is_used_without_a_key():
    settings = Settings(tmdb_api_key="", tmdb_read_token="", tmdb_base_url_raw="")
    assert settings.tmdb_base_url.startswith("http://127.0.0.1:")
    assert Settings(tmdb_api_key="k", tmdb_base_url_raw="").tmdb_base_url == \
        "https://api.themoviedb.org"


def test_outages_are_named_by_the_store_that_raised_them():
    from redis.exceptions import ConnectionError as RedisDown
    from sqlalchemy.exc import OperationalError

    from adapters.outages import Backoff, store_of
    assert store_of(OperationalError("SELECT 1", {}, Exception("gone"))) == "postgres"
    assert store_of(RedisDown()) == "redis"
    backoff = Backoff("test", base=0.25, cap=10.0)
    delays = [backoff.failed("postgres", RuntimeError("down")) for _ in range(20)]
    assert all(0 < d <= 10.0 for d in delays) and delays[0] <= 0.5
    backoff.succeeded()
    assert backoff.failures == 0
