"""The hot reads: the GETs people make most, answered as plain WSGI in front of Flask.

A movie's detail, a page of a curated or trending list, a search asked before, and a
person's own /me, /me/favorites, /me/watchlist and /me/stats are each one or two
Redis round trips; Flask's per-request machinery (request context, the hooks,
flask-smorest's argument parsing and response wrapping, flask-jwt-extended's context)
cost more than that.

A resource declares that it is hot: `@hot(body)` on its flask-smorest view names the
function that answers its plain success here. The table of hot routes is read from the
app's url_map (`HotReads.routes`), so there is no second route table. The answer leaves
through the Flask app's own response finisher (api/finisher.py: request id, ETag and
304, gzip, CORS, the security headers) and tokens are checked by its own verifier
(api/security.py).

Only the plain success is answered here. Anything else falls through to the Flask app,
which answers as it always has: another method or path, a query parameter beyond the
page, a consistency token, an Authorization header on a public route, a token that is
not a live access token, a document the read models lack. A body that raises falls
through too, logged at warning level and counted by reason
(`hot_read_fallthroughs_total`). The parity tests (tests/integration/test_hot_reads.py)
ask both paths for every hot route of the app and require the same status, headers and
body."""
from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from functools import partial
from typing import Callable, Iterable
from urllib.parse import unquote_plus

import jwt
from flask import Flask
from flask_jwt_extended.exceptions import JWTExtendedException
from werkzeug.datastructures import Headers
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from adapters.revocations import looks_like_uuid
from api.consistency import catch_up_own
from api.finisher import Finisher
from api.inputs import MAX_QUERY_BYTES
from api.metrics import HOT_READ_FALLTHROUGHS, REQUEST_LATENCY
from api.movie_responses import etag_header, page_body
from api.openapi import MAX_INT32
from api.schemas.common import MAX_PAGE, MAX_PAGE_SIZE, UNSTORABLE
from api.schemas.movies import MAX_QUERY_LENGTH
from domain.catalog.vocabulary import TRENDING_WINDOWS, trending_list
from movienexus.bootstrap import Container
from read_models.queries import catalog_queries
from read_models.stores import document_cache
from read_models.queries import library_queries
from read_models.stores import movie_documents
from read_models.queries.account_queries import me_document
from read_models.stores.account_documents import me_key

log = logging.getLogger(__name__)

_DIGITS = re.compile(r"^[0-9]{1,6}$")
_PLAIN_QUERY = re.compile(r"^[A-Za-z0-9_.~%+=&-]*$")
FLASK_ONLY = "movienexus.flask_only"         # an environ key (tests): skip the hot reads
PLAIN_ENTRIES = library_queries.EntryFilters()      # newest first: the script's order
CARD_PREFIX = movie_documents.card_key("")
PAGE_QUERY = frozenset({"page", "page_size"})

Environ = dict


@dataclass(frozen=True)
class Answer:
    body: bytes
    consistency: str | None = None
    etag: bool = True           # GET /me has none (its OpenAPI says so)


@dataclass(frozen=True)
class HotRead:
    """What `@hot` notes on a view: the body function and the query names it reads."""

    body: Callable[["HotRequest"], Answer]
    query: frozenset[str] = PAGE_QUERY


def hot(body: Callable[["HotRequest"], Answer], query: Iterable[str] = PAGE_QUERY):
    """Marks a flask-smorest view as answered by `body` in front of Flask when it can."""
    def mark(view):
        view.hot_read = HotRead(body, frozenset(query))
        return view
    return mark


@dataclass(frozen=True)
class Route:
    rule: str                       # Flask's rule: the latency histogram's label
    read: HotRead


class Declined(Exception):
    """Not a plain success: the Flask app answers this request."""


@dataclass
class HotRequest:
    """One request to a hot route: what a body function is given."""

    reads: "HotReads"
    environ: Environ
    args: dict[str, str]            # the query's names and values
    values: dict                    # the rule's path values (tmdb_id)

    @property
    def container(self) -> Container:
        return self.reads.container

    def public(self) -> None:
        """A public route asked with a token is the Flask app's (the detail's `me`)."""
        if "HTTP_AUTHORIZATION" in self.environ:
            raise Declined

    def caller(self, read: Callable[[str, str], tuple]) -> tuple[str, str | None, object]:
        """(user id, X-Consistency, what `read` read with the caller's records) of a live
        access token, once the person's own writes are in the read models: one Redis
        script, unless the person has writes still in flight (then what `read` read is
        None: read it again). Not a live access token: Declined (flask-jwt-extended
        answers the 401 itself)."""
        user_id, session_id = self.reads.claims(self.environ)
        c = self.container
        found, extra = read(user_id, session_id)
        if not c.live_sessions.live_given(user_id, session_id, found.session, found.user):
            raise Declined
        if not found.behind:
            return user_id, None, extra
        consistency = c.own_writes.wait(user_id, c.settings.own_write_wait_seconds,
                                        partial(catch_up_own, c), found.behind)
        return user_id, consistency, None


def page_args(args: dict) -> tuple[int, int]:
    """page and page_size as PageQueryArgsSchema reads them; out of range: Declined."""
    page, size = int(args.get("page", 1)), int(args.get("page_size", 20))
    if not 1 <= page <= MAX_PAGE or size < 1:
        raise Declined
    return page, min(size, MAX_PAGE_SIZE)


def query_args(query: str, allowed: frozenset[str]) -> dict[str, str]:
    """`name=value` pairs of allowed names, each once, values unquoted; else Declined."""
    if not query:
        return {}
    if len(query) > MAX_QUERY_BYTES or not _PLAIN_QUERY.match(query):
        raise Declined
    args: dict[str, str] = {}
    for pair in query.split("&"):
        name, equals, value = pair.partition("=")
        if name not in allowed or not equals or name in args:
            raise Declined
        args[name] = value
    for name, value in args.items():
        if name != "q" and not _DIGITS.match(value) and name != "window":
            raise Declined
    return args


def hot_routes(app: Flask) -> dict[str, Route]:
    """Every GET of the app whose view is marked `@hot`, by endpoint."""
    routes = {}
    for rule in app.url_map.iter_rules():
        view = getattr(app.view_functions[rule.endpoint], "view_class", None)
        read = getattr(getattr(view, "get", None), "hot_read", None)
        if read is not None:
            routes[rule.endpoint] = Route(rule.rule, read)
    return routes


class HotReads:
    """WSGI middleware: `app.wsgi_app = HotReads(app, container, app.wsgi_app)`."""

    def __init__(self, app: Flask, container: Container, next_app):
        self.container, self.next = container, next_app
        self.finisher: Finisher = app.extensions["movienexus.finisher"]
        self.tokens = app.extensions["movienexus.tokens"]
        self.routes = hot_routes(app)
        rules = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
        self._static = {rules[endpoint].rule: route for endpoint, route in self.routes.items()
                        if not rules[endpoint].arguments}
        self._urls = app.url_map.bind("localhost")
        self._latency: dict[str, object] = {}
        self.answered = 0           # requests answered here (the parity tests read it)

    # --- WSGI ---------------------------------------------------------------------------

    def __call__(self, environ: Environ, start_response) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "GET" and FLASK_ONLY not in environ \
                and "HTTP_X_CONSISTENCY_TOKEN" not in environ:
            started = time.perf_counter()
            found = self._route(environ.get("PATH_INFO", ""))
            if found is not None:
                answer = self._answer(*found, environ)
                if answer is not None:
                    return self._send(environ, start_response, found[0].rule, answer,
                                      started)
        return self.next(environ, start_response)

    def _route(self, path: str) -> tuple[Route, dict] | None:
        """The hot route Flask's url_map gives this path, and its path values."""
        route = self._static.get(path)
        if route is not None:
            return route, {}
        try:
            endpoint, values = self._urls.match(path, "GET")
        except (HTTPException, RequestRedirect):
            return None
        route = self.routes.get(endpoint)
        return None if route is None else (route, values)

    def _answer(self, route: Route, values: dict, environ: Environ) -> Answer | None:
        try:
            args = query_args(environ.get("QUERY_STRING", ""), route.read.query)
            return route.read.body(HotRequest(self, environ, args, values))
        except Declined:
            return None
        except Exception as exc:    # the Flask app answers it, with its error handling
            reason = type(exc).__name__
            log.warning("hot read of %s fell through to Flask: %s: %s", route.rule, reason,
                        exc)
            HOT_READ_FALLTHROUGHS.labels(reason).inc()
            return None

    def _send(self, environ: Environ, start_response, rule: str, answer: Answer,
              started: float) -> list[bytes]:
        headers = Headers([("Content-Type", "application/json")])
        if answer.etag:
            headers["ETag"] = etag_header(answer.body)
        if answer.consistency:
            headers["X-Consistency"] = answer.consistency
        status, body = self.finisher.finish(environ, 200, headers, answer.body)
        if status == 200:
            headers["Content-Length"] = str(len(body))
        start_response("200 OK" if status == 200 else "304 NOT MODIFIED",
                       headers.to_wsgi_list())
        self.answered += 1
        self._observe(rule, str(status), time.perf_counter() - started)
        return [body]

    def _observe(self, rule: str, status: str, seconds: float) -> None:
        key = rule + status
        child = self._latency.get(key)
        if child is None:
            child = self._latency[key] = REQUEST_LATENCY.labels("GET", rule, status)
        child.observe(seconds)

    def claims(self, environ: Environ) -> tuple[str, str]:
        """(user id, session id) of a well-formed access token; else Declined."""
        scheme, _, token = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme != "Bearer" or not token:
            raise Declined
        try:
            claims = self.tokens.claims(token)
        except (jwt.InvalidTokenError, JWTExtendedException):
            raise Declined from None
        user_id, session_id = claims.get("sub"), claims.get("sid")
        if claims.get("type") != "access" or not looks_like_uuid(user_id) \
                or not looks_like_uuid(session_id):
            raise Declined
        return user_id, session_id


# --- the bodies, named by the resources' `@hot` -----------------------------------------

def detail(hot: HotRequest) -> Answer:
    hot.public()        # with a token, the detail carries the caller's `me`
    tmdb_id, c = hot.values["tmdb_id"], hot.container
    if not 0 < tmdb_id <= MAX_INT32:
        raise Declined      # the Flask app's 404
    found = catalog_queries.detail_of(c.documents, c.engine, tmdb_id)
    if found is None or not found.body or not found.complete:
        raise Declined
    return Answer(found.body)


def list_of(name: str) -> Callable[[HotRequest], Answer]:
    """The body of a curated list's page."""
    def body(hot: HotRequest) -> Answer:
        return _list(hot, name)
    return body


def trending(hot: HotRequest) -> Answer:
    window = hot.args.get("window", "day")
    if window not in TRENDING_WINDOWS:
        raise Declined
    return _list(hot, trending_list(window))


def _list(hot: HotRequest, name: str) -> Answer:
    hot.public()
    page, size = page_args(hot.args)
    c = hot.container
    found = catalog_queries.list_page(c.documents, c.engine, name, page, size)
    return Answer(page_body(found, page, size))


def search(hot: HotRequest) -> Answer:
    hot.public()
    if "q" not in hot.args:
        raise Declined
    q = _unquoted(hot.args["q"])
    page, size = page_args(hot.args)
    c = hot.container
    key = catalog_queries.search_cache_key(c.documents, q, page, size)
    cached = catalog_queries.cached_search(c.cache, c.documents, c.engine, key)
    if cached is None:
        raise Declined      # computed, and cached, by the Flask app
    return Answer(page_body(cached, page, size))


def me(hot: HotRequest) -> Answer:
    c = hot.container

    def read(user_id: str, session_id: str) -> tuple:
        found = c.caller_reads.read(user_id, session_id, me_key(user_id))
        document = found.documents[0]
        document_cache.count(hits=int(document is not None), misses=int(document is None))
        return found, document
    user_id, consistency, document = hot.caller(read)
    if document is None:
        document = me_document(c.documents, c.engine, user_id)
        if document is None:
            raise Declined
    return Answer(document, consistency, etag=False)


def entries_of(kind: str) -> Callable[[HotRequest], Answer]:
    """The body of a page of the caller's favorites ("fav") or watchlist ("wl")."""
    def body(hot: HotRequest) -> Answer:
        page, size = page_args(hot.args)
        first, c = (page - 1) * size, hot.container

        def read(user_id: str, session_id: str) -> tuple:
            return c.caller_reads.read_entries(user_id, session_id, kind, first,
                                               first + size - 1, True, CARD_PREFIX)
        user_id, consistency, found = hot.caller(read)
        stores = c.library_reads
        ready = library_queries.page_of_entries(stores, found)
        if ready is None:
            ready = library_queries.entries_page(stores, user_id, kind, PLAIN_ENTRIES,
                                                 page, size)
        return Answer(page_body(ready, page, size), consistency)
    return body


def stats(hot: HotRequest) -> Answer:
    c = hot.container
    since_ms = int(library_queries.recent_since() * 1000)

    def read(user_id: str, session_id: str) -> tuple:
        return c.caller_reads.read_stats(user_id, session_id, since_ms)
    user_id, consistency, found = hot.caller(read)
    if found is not None:
        return Answer(library_queries.stats_of(found), consistency)
    return Answer(library_queries.stats_body(c.library_reads, user_id), consistency)


def _unquoted(value: str) -> str:
    """A search's q as werkzeug reads it; one SearchQueryArgsSchema refuses: Declined."""
    try:
        text = unquote_plus(value, errors="strict")
    except UnicodeDecodeError:
        raise Declined from None
    if not 1 <= len(text) <= MAX_QUERY_LENGTH or UNSTORABLE.search(text):
        raise Declined
    return text
