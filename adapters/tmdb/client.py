"""TMDb API v3 over `requests`: auth, timeouts, retries, the shared rate limit, typed errors.

Every HTTP attempt (retries included) first takes a token from the shared
rate limiter. Building a client touches neither the network nor Redis.
"""
from __future__ import annotations

import datetime as dt
import logging
import time
from urllib.parse import quote
from typing import Any, Callable, Iterable, Protocol

import requests
from requests.adapters import HTTPAdapter
from tenacity import RetryCallState

from adapters.tmdb.errors import TmdbError, TmdbUnavailable, error_from_response
from adapters.tmdb.metrics import ClientStats, record_response
from adapters.tmdb.retry import RetryPolicy
from adapters.tmdb.wire import (
    api_path, api_root, dotted_filters, query_params, redact, retry_after_seconds)
from domain.catalog.vocabulary import CURATED_LISTS, TRENDING_WINDOWS

log = logging.getLogger(__name__)



class RateLimiter(Protocol):
    def acquire(self, timeout: float = ..., tokens: int = ...) -> float: ...


class TmdbClient:
    """A TMDb v3 client whose methods return TMDb's parsed JSON."""

    def __init__(self, base_url: str, *, api_key: str | None = None,
                 read_token: str | None = None, rate_limiter: RateLimiter | None = None,
                 connect_timeout: float = 3.05, read_timeout: float = 10,
                 max_retries: int = 4, backoff: float = 0.5,
                 session: requests.Session | None = None,
                 max_rate_limited_retries: int = 5, max_backoff: float = 8.0,
                 max_retry_after: float = 60.0, rate_limit_timeout: float = 30.0,
                 pool_size: int = 10, sleep: Callable[[float], None] = time.sleep):
        self.base_url = api_root(base_url)
        self.api_key = api_key or None
        self.read_token = read_token or None
        self.rate_limiter = rate_limiter
        self.timeout = (connect_timeout, read_timeout)
        self.rate_limit_timeout = rate_limit_timeout
        self.retry_policy = RetryPolicy(max_retries, max_rate_limited_retries, backoff,
                                        max_backoff, max_retry_after)
        self.session = session or _pooled_session(pool_size)
        self.stats = ClientStats()
        self._sleep = sleep

    def __repr__(self) -> str:  # never shows the credentials
        return f"TmdbClient({self.base_url!r}, auth={self._auth_kind()})"

    def __enter__(self) -> "TmdbClient":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self.session.close()

    # --- the endpoints Movie Nexus uses -------------------------------------------------

    def configuration(self) -> dict[str, Any]:
        return self.get("/configuration")

    def genres(self, language: str = "en-US") -> dict[str, Any]:
        return self.get("/genre/movie/list", language=language)

    def movie(self, tmdb_id: int, append: Iterable[str] = (), **params: Any) -> dict[str, Any]:
        """Details; `append` names sub-resources (credits, videos...) to embed."""
        appended = ",".join(append) or None
        return self.get(f"/movie/{int(tmdb_id)}", append_to_response=appended, **params)

    def curated_list(self, name: str, page: int = 1, **params: Any) -> dict[str, Any]:
        """A page of one of TMDb's curated lists (popular, top_rated, ...)."""
        if name not in CURATED_LISTS:
            raise ValueError(f"no list {name!r}; lists: {', '.join(CURATED_LISTS)}")
        return self.get(f"/movie/{name}", page=page, **params)

    def trending(self, window: str = "day", page: int = 1, **params: Any) -> dict[str, Any]:
        if window not in TRENDING_WINDOWS:
            raise ValueError(f"trending window must be 'day' or 'week', not {window!r}")
        return self.get(f"/trending/movie/{window}", page=page, **params)

    def search(self, query: str, page: int = 1, year: int | None = None,
               **params: Any) -> dict[str, Any]:
        return self.get("/search/movie", query=query, page=page, year=year, **params)

    def find(self, external_id: str, source: str = "imdb_id") -> dict[str, Any]:
        """`/find/{external_id}`: `movie_results` holds the movie an IMDb id names."""
        return self.get(f"/find/{quote(external_id, safe='')}", external_source=source)

    def recommendations(self, tmdb_id: int, page: int = 1, **params: Any) -> dict[str, Any]:
        return self.get(f"/movie/{int(tmdb_id)}/recommendations", page=page, **params)

    def similar(self, tmdb_id: int, page: int = 1, **params: Any) -> dict[str, Any]:
        return self.get(f"/movie/{int(tmdb_id)}/similar", page=page, **params)

    def changes(self, start_date: dt.date | str | None = None,
                end_date: dt.date | str | None = None, page: int = 1) -> dict[str, Any]:
        """Ids of movies changed in a range (TMDb: last 24 h by default, 14 days at most)."""
        return self.get("/movie/changes", start_date=start_date, end_date=end_date, page=page)

    def discover(self, page: int = 1, **filters: Any) -> dict[str, Any]:
        """`/discover/movie`; `vote_count_gte=100` is sent as `vote_count.gte=100`."""
        return self.get("/discover/movie", page=page, **dotted_filters(filters))

    # --- the transport --------------------------------------------------------------

    def get(self, path: str, **params: Any) -> dict[str, Any]:
        """GETs an API path such as `/movie/550` (the `/3` prefix is optional)."""
        retrying = self.retry_policy.retrying(sleep=self._sleep, before_sleep=self._on_retry)
        return retrying(self._attempt, api_path(path), query_params(params))

    def _attempt(self, path: str, query: dict[str, str]) -> dict[str, Any]:
        self._take_token()
        response = self._send(path, query)
        if response.status_code >= 400:
            raise _error_for(response, path)
        return _json_body(response, path)

    def _take_token(self) -> None:
        if self.rate_limiter is not None:
            waited = self.rate_limiter.acquire(timeout=self.rate_limit_timeout)
            self.stats.add(throttled_seconds=waited)

    def _send(self, path: str, query: dict[str, str]) -> requests.Response:
        self.stats.add(requests=1)
        try:
            response = self.session.get(self.base_url + path, params=self._auth_params(query),
                                        headers=self._auth_headers(), timeout=self.timeout)
        except requests.Timeout as exc:
            raise self._network_failure(path, "timeout", exc) from None
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            raise self._network_failure(path, "connection_error", exc) from None
        record_response(path, response.status_code)
        self._count_status(response.status_code)
        return response

    def _count_status(self, status: int) -> None:
        if status == 429:
            self.stats.add(rate_limited=1)
        elif status >= 500:
            self.stats.add(failures=1)

    def _network_failure(self, path: str, outcome: str, exc: Exception) -> TmdbUnavailable:
        record_response(path, outcome)
        self.stats.add(failures=1)
        detail = redact(str(exc))
        return TmdbUnavailable(f"TMDb {outcome.replace('_', ' ')} on {path} "
                               f"({type(exc).__name__}: {detail})", path=path)

    def _on_retry(self, state: RetryCallState) -> None:
        self.stats.add(retries=1)
        exc = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0.0
        log.warning("TMDb attempt %d failed (%s); retrying in %.2fs",
                    state.attempt_number, exc, wait)

    def _auth_kind(self) -> str:
        return "bearer" if self.read_token else "api_key" if self.api_key else "none"

    def _auth_params(self, query: dict[str, str]) -> dict[str, str]:
        if self.read_token or not self.api_key:
            return query
        return {**query, "api_key": self.api_key}

    def _auth_headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if self.read_token:
            headers["Authorization"] = f"Bearer {self.read_token}"
        return headers


def _pooled_session(pool_size: int) -> requests.Session:
    """A session that keeps connections alive; retries are ours, never urllib3's."""
    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=2, pool_maxsize=pool_size, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = "movienexus-tmdb-client/0.1"
    return session


def _error_for(response: requests.Response, path: str) -> TmdbError:
    try:
        body = response.json()
    except ValueError:
        body = None
    retry_after = retry_after_seconds(response.headers.get("Retry-After"))
    return error_from_response(response.status_code, body, path=path, retry_after=retry_after)


def _json_body(response: requests.Response, path: str) -> dict[str, Any]:
    try:
        return response.json()
    except ValueError:
        raise TmdbUnavailable(f"TMDb answered {path} with HTTP {response.status_code} but "
                              "no JSON body", status=response.status_code, path=path) from None
