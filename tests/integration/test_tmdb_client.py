"""The TMDb client against the bundled TMDb-compatible server, with the shared
rate limit in a real Redis (database 15, a fresh key per test)."""
from __future__ import annotations

import importlib
import json
import multiprocessing
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from prometheus_client import REGISTRY

from adapters.tmdb import (
    RateLimiterUnavailable, RateLimitTimeout, RedisTokenBucket, TmdbClient, TmdbNotFound,
    TmdbRateLimited, TmdbUnauthorized, TmdbUnavailable)
from tests.support.fixtures_tmdb import tmdb_server  # noqa: F401

REDIS_URL = "redis://127.0.0.1:6379/15"
ROOT = Path(__file__).resolve().parents[2]
MISSING_ID = 987_654_321


# --- fixtures -------------------------------------------------------------------------

@pytest.fixture
def server(tmdb_server):  # noqa: F811 (the session fixture, reset around each test)
    tmdb_server.reset()
    yield tmdb_server
    tmdb_server.reset()


@pytest.fixture
def redis_db() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(REDIS_URL)
    yield client
    client.close()


@pytest.fixture
def bucket_prefix(redis_db) -> Iterator[str]:
    prefix = f"test:tmdb:bucket:{uuid.uuid4().hex}"
    yield prefix
    for key in redis_db.scan_iter(f"{prefix}*"):
        redis_db.delete(key)


def client_for(server, **options) -> TmdbClient:
    """A client with tiny backoffs, so the retry tests stay fast."""
    defaults = {"api_key": server.api_key, "backoff": 0.01, "max_backoff": 0.05}
    return TmdbClient(server.base_url, **{**defaults, **options})


def wait_until_recorded(server, requests: int, timeout: float = 5.0) -> int:
    """The server counts a request when it answers; a held (timed-out) one answers late."""
    deadline = time.monotonic() + timeout
    while (count := server.stats()["requests"]) < requests and time.monotonic() < deadline:
        time.sleep(0.05)
    return count


def seen(server, status: int) -> int:
    by_status = server.stats()["by_status"]
    return int(by_status.get(str(status), by_status.get(status, 0)))


# --- the endpoints --------------------------------------------------------------------

def test_lists_details_and_search_return_tmdb_shapes(server):
    client = client_for(server)

    popular = client.curated_list("popular", page=2)
    first = popular["results"][0]
    detail = client.movie(first["id"], append=("credits", "videos"))

    assert popular["page"] == 2 and len(popular["results"]) == 20
    assert detail["id"] == first["id"] and {"credits", "videos", "genres"} <= detail.keys()
    assert client.search(detail["title"])["total_results"] >= 1
    assert {"id": 28, "name": "Action"} in client.genres()["genres"]
    assert "images" in client.configuration()


def test_every_listed_endpoint_answers(server):
    client = client_for(server)
    movie_id = client.curated_list("top_rated")["results"][0]["id"]

    pages = [client.curated_list("now_playing"), client.curated_list("upcoming"),
             client.trending("week"),
             client.recommendations(movie_id), client.similar(movie_id),
             client.discover(sort_by="vote_average.desc", vote_count_gte=10),
             client.get("/movie/popular", page=3)]

    assert all(isinstance(page["results"], list) for page in pages)
    assert "results" in client.changes()
    assert pages[-1]["page"] == 3


def test_a_read_token_is_sent_as_bearer(server):
    client = client_for(server, api_key=None, read_token=server.api_key)

    assert client.curated_list("popular")["results"]


# --- errors -----------------------------------------------------------------------------

def test_missing_movie_is_tmdb_not_found(server):
    client = client_for(server)

    with pytest.raises(TmdbNotFound) as caught:
        client.movie(MISSING_ID)

    assert caught.value.status == 404 and caught.value.tmdb_code == 34
    assert seen(server, 404) == 1  # not retried


def test_bad_key_is_a_clear_unauthorized_naming_the_variable(server):
    client = client_for(server, api_key="not-the-key")

    with pytest.raises(TmdbUnauthorized) as caught:
        client.curated_list("popular")

    assert caught.value.status == 401 and caught.value.tmdb_code == 7
    assert "TMDB_API_KEY" in str(caught.value) and "TMDB_READ_TOKEN" in str(caught.value)
    assert "not-the-key" not in str(caught.value)
    assert seen(server, 401) == 1  # not retried


def test_no_credentials_at_all_is_unauthorized_too(server):
    with pytest.raises(TmdbUnauthorized, match="TMDB_API_KEY"):
        client_for(server, api_key=None).genres()


# --- retries ----------------------------------------------------------------------------

def test_a_429_is_waited_out_for_retry_after_seconds(server):
    client = client_for(server)
    server.set_faults(rate_limit_per_second=1, retry_after=1)

    client.curated_list("popular")  # spends the server's one request for this second
    started = time.monotonic()
    page = client.curated_list("popular", page=2)
    elapsed = time.monotonic() - started

    assert page["page"] == 2
    assert elapsed >= 1.0
    assert seen(server, 429) >= 1 and client.stats.rate_limited >= 1


def test_429s_that_keep_coming_end_in_tmdb_rate_limited(server):
    client = client_for(server, max_rate_limited_retries=2)
    server.set_faults(rate_429=1.0, retry_after=0)

    with pytest.raises(TmdbRateLimited) as caught:
        client.curated_list("popular")

    assert caught.value.status == 429 and caught.value.tmdb_code == 25
    assert seen(server, 429) == 3 and client.stats.rate_limited == 3


def test_a_retry_after_longer_than_allowed_is_raised_not_slept(server):
    client = client_for(server, max_retry_after=2)
    server.set_faults(rate_429=1.0, retry_after=30)

    started = time.monotonic()
    with pytest.raises(TmdbRateLimited) as caught:
        client.curated_list("popular")

    assert caught.value.retry_after == 30 and time.monotonic() - started < 1
    assert seen(server, 429) == 1


def test_persistent_5xx_is_retried_then_tmdb_unavailable(server):
    client = client_for(server, max_retries=3)
    server.set_faults(rate_5xx=1.0)

    with pytest.raises(TmdbUnavailable) as caught:
        client.curated_list("popular")

    assert caught.value.status is not None and caught.value.status >= 500
    assert server.stats()["requests"] == 4  # the first try and three retries
    assert client.stats.retries == 3


def test_persistent_timeouts_are_retried_then_tmdb_unavailable(server):
    client = client_for(server, read_timeout=0.2, max_retries=2)
    server.set_faults(timeout_rate=1.0, timeout_seconds=1.0)

    started = time.monotonic()
    with pytest.raises(TmdbUnavailable, match="timeout"):
        client.curated_list("popular")

    assert 0.6 <= time.monotonic() - started < 3
    assert wait_until_recorded(server, 3) == 3
    assert client.stats.failures == 3


def test_transient_5xx_still_yields_success(server):
    client = client_for(server, max_retries=8)
    server.set_faults(rate_5xx=0.3)

    pages = [client.curated_list("popular", page=page) for page in range(1, 31)]

    assert [page["page"] for page in pages] == list(range(1, 31))
    assert client.stats.retries >= 1 and server.stats()["requests"] == 30 + client.stats.retries


def test_connection_refused_is_tmdb_unavailable_without_leaking_the_key():
    client = TmdbClient("http://127.0.0.1:9", api_key="secret-key", max_retries=1,
                        backoff=0.01)

    with pytest.raises(TmdbUnavailable) as caught:
        client.genres()

    assert "secret-key" not in str(caught.value) and client.stats.requests == 2


# --- the shared rate limit ----------------------------------------------------------------

def test_every_attempt_takes_a_token_from_the_bucket(server, redis_db, bucket_prefix):
    bucket = RedisTokenBucket(redis_db, rate=10, capacity=2, key_prefix=bucket_prefix)
    client = client_for(server, rate_limiter=bucket)

    started = time.monotonic()
    for page in range(1, 13):
        client.curated_list("popular", page=page)

    assert time.monotonic() - started >= 0.95  # 12 requests = 2 burst + 10 at 10/s
    assert client.stats.throttled_seconds > 0.5 and redis_db.exists(bucket.key)


def test_a_bucket_that_cannot_grant_in_time_raises_at_once(redis_db, bucket_prefix):
    bucket = RedisTokenBucket(redis_db, rate=1, capacity=1, key_prefix=bucket_prefix)
    bucket.acquire(timeout=0)

    started = time.monotonic()
    with pytest.raises(RateLimitTimeout, match="past the 0.2s timeout"):
        bucket.acquire(timeout=0.2)

    assert time.monotonic() - started < 0.1
    assert 0.5 <= bucket.acquire(timeout=2) <= 1.0  # the failed wait reserved nothing


def test_an_unreachable_redis_fails_before_calling_tmdb(server, bucket_prefix):
    dead_redis = redis.Redis.from_url("redis://127.0.0.1:1/15", socket_connect_timeout=0.5)
    client = client_for(server, rate_limiter=RedisTokenBucket(
        dead_redis, rate=10, key_prefix=bucket_prefix))

    with pytest.raises(RateLimiterUnavailable, match="Redis"):
        client.curated_list("popular")

    assert server.stats()["requests"] == 0


def _hammer(base_url: str, api_key: str, prefix: str, rate: float, capacity: float,
            duration: float, barrier, results) -> None:
    """One process: its own client, the shared bucket, requests until the deadline."""
    try:
        bucket = RedisTokenBucket(redis.Redis.from_url(REDIS_URL), rate, capacity=capacity,
                                  key_prefix=prefix)
        client = TmdbClient(base_url, api_key=api_key, rate_limiter=bucket)
        barrier.wait(timeout=60)
        deadline, sent = time.time() + duration, 0
        while time.time() < deadline:
            client.curated_list("popular", page=sent % 500 + 1)
            sent += 1
        results.put(sent)
    except BaseException as exc:  # reported to the test, which fails with it
        results.put(f"worker failed: {exc!r}")


def busiest_second(timestamps: list[float]) -> int:
    """The most requests inside any sliding one-second window."""
    stamps, most, start = sorted(timestamps), 0, 0
    for end, stamp in enumerate(stamps):
        while stamp - stamps[start] >= 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most


def test_processes_together_never_exceed_the_shared_rate(server, bucket_prefix):
    rate, capacity, duration, workers = 20, 5, 3.0, 4
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(workers), context.Queue()
    processes = [context.Process(target=_hammer, args=(
        server.base_url, server.api_key, bucket_prefix, rate, capacity, duration, barrier,
        results)) for _ in range(workers)]
    for process in processes:
        process.start()
    sent = [results.get(timeout=60) for _ in processes]
    for process in processes:
        process.join(timeout=10)

    assert all(isinstance(count, int) for count in sent), sent
    stamps = sorted(server.stats()["timestamps"])
    span = stamps[-1] - stamps[0]
    assert sum(sent) == len(stamps)
    assert busiest_second(stamps) <= rate + capacity + 2  # 2: network and clock slack
    assert len(stamps) <= capacity + rate * span + 2      # the bucket's bound, end to end
    assert len(stamps) >= 0.9 * rate * duration           # and the limiter does not starve
    assert min(sent) >= 0.5 * max(sent)                   # nor does any one process


# --- no side effects at import or construction ------------------------------------------

# Events that resolve a name or send a packet. (urllib3's import binds a socket to
# ::1 to learn whether IPv6 exists: local, no traffic, so not counted.)
NO_NETWORK_PROBE = """
import json, sys
REACHING_OUT = {"socket.connect", "socket.getaddrinfo", "socket.gethostbyname",
                "socket.gethostbyaddr", "socket.sendto", "socket.sendmsg"}
network = []
sys.addaudithook(lambda event, args: event in REACHING_OUT and network.append(event))
import adapters.tmdb
from movienexus.config import Settings
client = adapters.tmdb.build_tmdb_client(Settings())
print(json.dumps({"network": network, "base_url": client.base_url,
                  "api_key": client.api_key, "limited": client.rate_limiter is not None}))
"""


def probe_import(**env: str) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TMDB_", "REDIS_"))}
    done = subprocess.run([sys.executable, "-c", NO_NETWORK_PROBE], cwd=ROOT,
                          env={**clean, **env}, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_import_and_build_need_no_credentials_and_no_network():
    without_key = probe_import()
    with_key = probe_import(TMDB_API_KEY="operator-key")

    assert without_key == {"network": [], "base_url": "http://127.0.0.1:8001",
                           "api_key": "movienexus-dev-key", "limited": True}
    assert with_key["network"] == [] and with_key["api_key"] == "operator-key"
    assert with_key["base_url"] == "https://api.themoviedb.org"


def test_prometheus_counters_survive_a_second_import(server):
    metrics = importlib.import_module("adapters.tmdb.metrics")
    counter = metrics.REQUESTS_TOTAL
    labels = {"endpoint": "/3/movie/{id}", "status": "404"}
    before = REGISTRY.get_sample_value("tmdb_requests_total", labels) or 0

    assert importlib.reload(metrics).REQUESTS_TOTAL is counter
    with pytest.raises(TmdbNotFound):
        client_for(server).movie(MISSING_ID)
    assert REGISTRY.get_sample_value("tmdb_requests_total", labels) == before + 1
