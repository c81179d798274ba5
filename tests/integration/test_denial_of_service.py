"""Cheap requests cannot make the API wait, ask TMDb without bound, grow the permanent
log without bound or fill Redis: consistency tokens are checked against the log, TMDb
lookups are limited per IP and in total, TMDb's misses are remembered, cached search
pages are bounded and live in a Redis database of their own, and a cache that fails
never fails a request. The catalog world (bundled TMDb server, 6,000 stored movies) of
test_movies_api, real PostgreSQL and Redis."""
from __future__ import annotations

import threading
import time
import uuid
from dataclasses import replace

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import text

from api import create_app
from movienexus.bootstrap import Container
from read_models.queries import catalog_queries as queries
from tests.support.api_client import API, random_ip
from tests.support.catalog import catalog_world
from tests.support.fixtures_tmdb import tmdb_server  # noqa: F401

CLOSED = "redis://127.0.0.1:1/0"
CONSISTENCY = "X-Consistency-Token"


@pytest.fixture(scope="module")
def world(settings, tmdb_server):  # noqa: F811
    return catalog_world(settings, tmdb_server.base_url)


@pytest.fixture(scope="module")
def cache_url(world):
    """A cache database of this module's own (its counters start at zero)."""
    base = world.container.settings.redis_url.rsplit("/", 1)[0]
    url = f"{base}/14"
    Container(replace(world.container.settings, cache_redis_url_raw=url)).cache.flushdb()
    return url


def app_with(world, cache_url, **changes):
    settings = replace(world.container.settings, rate_limits_enabled=True,
                       cache_redis_url_raw=cache_url,
                       amqp_namespace=f"dos-{uuid.uuid4().hex[:12]}", **changes)
    return create_app(container=Container(settings))


def client_of(app, ip: str | None = None):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ip or random_ip()
    return client


def unused(world, count: int) -> list:
    """Movies the TMDb server has and the catalog does not (yet): each test its own."""
    with world.container.engine.connect() as conn:
        known = set(conn.execute(text("SELECT tmdb_id FROM read_movies")).scalars())
    return [m for m in world.not_stored if m.id not in known][:count]


# --- consistency tokens ------------------------------------------------------------------

def waits() -> float:
    return REGISTRY.get_sample_value("consistency_waits_total") or 0


def test_sixteen_bogus_consistency_tokens_never_wait(app, client):
    """An impossible version, a made-up position, a real position naming another
    aggregate: answered at once (no wait counted), as `unknown`, all alike."""
    user = client.post(f"{API}/auth/register", json={
        "email": f"dos-{uuid.uuid4().hex[:10]}@example.com", "password": "Popcorn-2026!"})
    real = user.headers[CONSISTENCY]
    position, kind, aggregate_id, version = real.split(".")
    bogus = ["1.movie.1.999999999", f"{position}.{kind}.{aggregate_id}.999999999",
             f"{position}.movie.{aggregate_id}.{version}", f"999999999999.{kind}."
             f"{aggregate_id}.{version}"]
    before, answers = waits(), []

    def read(token: str) -> None:
        answers.append(client_of(app).get(f"{API}/movies?page_size=1",
                                          headers={CONSISTENCY: token}))

    threads = [threading.Thread(target=read, args=(bogus[n % 4],)) for n in range(16)]
    for t in threads:
        t.start()
    health = client_of(app).get("/healthz")
    for t in threads:
        t.join(60)
    assert health.status_code == 200
    assert len(answers) == 16
    for response in answers:
        assert response.status_code == 200, response.get_data(as_text=True)[:200]
        assert response.headers["X-Consistency"] == "unknown"
    assert waits() == before
    # The real token still counts: it names a write, which is applied or waited for.
    real_answer = client_of(app).get(f"{API}/movies?page_size=1", headers={CONSISTENCY: real})
    assert real_answer.headers["X-Consistency"] in ("fresh", "stale")


# --- TMDb lookups: per IP, in total, and remembered misses ------------------------------

def test_lookups_of_unknown_movies_are_limited_per_ip(world, cache_url):
    app = app_with(world, cache_url, tmdb_lookup_rate_limit="2 per minute")
    first, second, third = unused(world, 3)
    ip = random_ip()
    for movie in (first, second):
        assert client_of(app, ip).get(f"{API}/movies/{movie.id}").status_code == 200
    refused = client_of(app, ip).get(f"{API}/movies/{third.id}")
    assert refused.status_code == 429, refused.get_data(as_text=True)
    assert refused.headers["Retry-After"].isdigit()
    # Movies already stored are served to that IP as ever; another IP may look up.
    assert client_of(app, ip).get(f"{API}/movies/{first.id}").status_code == 200
    assert client_of(app).get(f"{API}/movies/{third.id}").status_code == 200


def test_an_id_tmdb_does_not_know_is_not_asked_again(world, cache_url):
    app = app_with(world, cache_url)
    missing = 1_900_000_000 + uuid.uuid4().int % 1_000_000
    assert client_of(app).get(f"{API}/movies/{missing}").status_code == 404
    # TMDb unreachable now: the remembered miss still answers 404, not 503.
    offline = app_with(world, cache_url, tmdb_base_url_raw="http://127.0.0.1:1")
    response = client_of(offline).get(f"{API}/movies/{missing}")
    assert response.status_code == 404, response.get_data(as_text=True)
    other = missing + 1
    assert client_of(offline).get(f"{API}/movies/{other}").status_code == 503  # the control


def test_imports_triggered_by_requests_share_one_budget(world, cache_url):
    app = app_with(world, cache_url, request_import_budget="2 per minute")
    movies = unused(world, 4)
    for movie in movies[:2]:
        assert client_of(app).get(f"{API}/movies/{movie.id}").status_code == 200
    response = client_of(app).get(f"{API}/movies/{movies[2].id}")   # a new IP: still no
    assert response.status_code == 503 and response.headers["Retry-After"]
    # A search answers from the catalog alone, without importing what TMDb would find.
    search = client_of(app).get(f"{API}/movies/search", query_string={"q": movies[3].title})
    assert search.status_code == 200
    assert movies[3].id not in [card["tmdb_id"] for card in search.get_json()["items"]]
    assert client_of(app).get(f"{API}/movies/{movies[3].id}").status_code == 503


# --- the cache ---------------------------------------------------------------------------

def test_cached_search_pages_are_bounded(world, cache_url):
    for _ in range(3):  # a new counting window may start mid-test: then again
        window = int(time.time()) // queries.SEARCH_CACHE_SECONDS
        app = app_with(world, cache_url, search_cache_max_pages=2)
        container = app.extensions["movienexus"]
        container.cache.delete(f"search:pages:{window}")
        words = [f"zq{uuid.uuid4().hex[:8]}" for _ in range(3)]
        for q in words:
            assert client_of(app).get(f"{API}/movies/search", query_string={"q": q}) \
                .status_code == 200
        if int(time.time()) // queries.SEARCH_CACHE_SECONDS == window:
            break
    cached = [container.cache.exists(queries.search_cache_key(container.documents, q, 1, 20))
              for q in words]
    assert cached == [1, 1, 0]
    # Nothing of it in the database of the live-session records and documents.
    assert not any(container.redis.exists(queries.search_cache_key(container.documents, q,
                                                                   1, 20)) for q in words)


def test_a_cache_that_is_down_never_fails_a_request(world):
    app = create_app(container=Container(replace(world.container.settings,
                                                 cache_redis_url_raw=CLOSED)))
    client = client_of(app)
    movie = unused(world, 1)[0]
    for path in ("/movies/search?q=river", "/movies/search?q=river", f"/movies/{movie.id}",
                 "/movies/1999999911", "/genres", "/movies/popular"):
        response = client.get(API + path)
        assert response.status_code in (200, 404), (path, response.get_data(as_text=True))
        assert response.status_code == (404 if "1999999911" in path else 200), path
