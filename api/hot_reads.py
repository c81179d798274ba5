"""The hot reads: the GETs people make most, answered as plain WSGI in front of Flask.

A movie's detail, a page of a curated or trending list, a search asked before, and a
person's own /me, /me/favorites, /me/watchlist and /me/stats are each one or two
Redis round trips; Flask's per-request machinery (request context, nine hooks,
flask-smorest's argument parsing and response wrapping, flask-jwt-extended's context)
cost more than that. Here they are served with what a person and an operator rely on
kept: the request id, the latency histogram, ETag and 304, gzip, CORS (flask-cors's own
header computation) and gunicorn's access log.

Only the plain success is answered here. Anything else falls through to the Flask app,
which answers as it always has: another method or path, a query parameter beyond the
page, a consistency token, an Authorization header on a public route, a token that is
not a live access token, a document the read models lack, any exception. The parity
tests (tests/integration/test_hot_reads.py) ask both for the same requests and require
the same status, headers and body."""
from __future__ import annotations

import logging
import os
import re
import time
from dataclasses import dataclass
from functools import partial
from typing import Callable, Iterable
from urllib.parse import unquote_plus

import jwt
from werkzeug.http import parse_accept_header, parse_etags

from api import compression
from api.consistency import catch_up_own
from api.cors import HotCors
from api.inputs import MAX_QUERY_BYTES
from api.metrics import REQUEST_LATENCY
from api.movie_responses import etag_of, page_body
from api.openapi import MAX_INT32
from api.schemas.common import MAX_PAGE_SIZE, UNSTORABLE
from api.schemas.movies import MAX_QUERY_LENGTH
from catalog_sync.lists import CURATED_LISTS
from movienexus.bootstrap import Container
from read_models import catalog_queries, document_cache, library_queries, movie_documents
from adapters.revocations import looks_like_uuid
from read_models.account_queries import me_document
from read_models.accounts import me_key

log = logging.getLogger(__name__)

PREFIX = "/api/v1"
MAX_PAGE = 100_000
_DIGITS = re.compile(r"^[0-9]{1,6}$")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_DETAIL = re.compile(r"^/api/v1/movies/([0-9]{1,10})$")
_PLAIN_QUERY = re.compile(r"^[A-Za-z0-9_.~%+=&-]*$")
DETAIL_RULE = "/api/v1/movies/<int:tmdb_id>"
FLASK_ONLY = "movienexus.flask_only"         # an environ key (tests): skip the hot reads
PLAIN_ENTRIES = library_queries.EntryFilters()      # newest first: the script's order
CARD_PREFIX = movie_documents.card_key("")
VERIFIED_TOKENS = 4096

Environ = dict
Handler = Callable[[Environ, dict], "Answer | None"]


@dataclass(frozen=True)
class Answer:
    body: bytes
    consistency: str | None = None
    etag: bool = True           # GET /me has none (its OpenAPI says so)


@dataclass(frozen=True)
class Route:
    rule: str                       # Flask's rule: the latency histogram's label
    handler: Handler
    query: frozenset[str] = frozenset({"page", "page_size"})


class Declined(Exception):
    """Not a plain success: the Flask app answers this request."""


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


class HotReads:
    """WSGI middleware: `app.wsgi_app = HotReads(app, container, app.wsgi_app)`."""

    def __init__(self, app, container: Container, next_app):
        self.container, self.next = container, next_app
        self.cors = HotCors(app)
        self.secret = app.config["JWT_SECRET_KEY"]
        self.algorithm = app.config.get("JWT_ALGORITHM", "HS256")
        self.routes = self._routes()
        self._latency: dict[str, object] = {}
        self._tokens: dict[str, dict] = {}      # verified token → its claims
        self.answered = 0           # requests answered here (the parity tests read it)

    def _routes(self) -> dict[str, Route]:
        routes = {f"{PREFIX}/movies/{name.replace('_', '-')}": Route(
            f"{PREFIX}/movies/{name.replace('_', '-')}", self._curated(name))
            for name in CURATED_LISTS}
        routes[f"{PREFIX}/movies/trending"] = Route(
            f"{PREFIX}/movies/trending", self._trending, frozenset({"page", "page_size",
                                                                     "window"}))
        routes[f"{PREFIX}/movies/search"] = Route(
            f"{PREFIX}/movies/search", self._search, frozenset({"q", "page", "page_size"}))
        routes[f"{PREFIX}/me"] = Route(f"{PREFIX}/me", self._me, frozenset())
        routes[f"{PREFIX}/me/favorites"] = Route(f"{PREFIX}/me/favorites",
                                                 self._entries("fav"))
        routes[f"{PREFIX}/me/watchlist"] = Route(f"{PREFIX}/me/watchlist",
                                                 self._entries("wl"))
        routes[f"{PREFIX}/me/stats"] = Route(f"{PREFIX}/me/stats", self._stats, frozenset())
        return routes

    # --- WSGI ---------------------------------------------------------------------------

    def __call__(self, environ: Environ, start_response) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "GET" and FLASK_ONLY not in environ \
                and "HTTP_X_CONSISTENCY_TOKEN" not in environ:
            started = time.perf_counter()
            found = self._route(environ.get("PATH_INFO", ""))
            if found is not None:
                route, environ["movienexus.hot"] = found
                answer = self._answer(route, environ)
                if answer is not None:
                    return self._send(environ, start_response, route.rule, answer, started)
        return self.next(environ, start_response)

    def _route(self, path: str) -> tuple[Route, int | None] | None:
        route = self.routes.get(path)
        if route is not None:
            return route, None
        detail = _DETAIL.match(path)
        if detail is None:
            return None
        return Route(DETAIL_RULE, self._detail, frozenset()), int(detail.group(1))

    def _answer(self, route: Route, environ: Environ) -> Answer | None:
        try:
            args = query_args(environ.get("QUERY_STRING", ""), route.query)
            return route.handler(environ, args)
        except Declined:
            return None
        except Exception:       # the Flask app answers it, with its error handling
            log.debug("hot read declined after an error", exc_info=True)
            return None

    def _send(self, environ: Environ, start_response, rule: str, answer: Answer,
              started: float) -> list[bytes]:
        etag = etag_of(answer.body) if answer.etag else None
        if etag and "HTTP_IF_NONE_MATCH" in environ and \
                parse_etags(environ["HTTP_IF_NONE_MATCH"]).contains_weak(etag):
            body, status, headers = b"", "304 NOT MODIFIED", []
        else:
            body, status = answer.body, "200 OK"
            headers = [("Content-Type", "application/json"), ("Vary", "Accept-Encoding")]
            body = self._encoded(environ, body, etag, headers)
            headers.append(("Content-Length", str(len(body))))
        if etag:
            headers.append(("ETag", f'W/"{etag}"'))
        if answer.consistency:
            headers.append(("X-Consistency", answer.consistency))
        headers.append(("X-Request-ID", _request_id(environ)))
        if "HTTP_ORIGIN" in environ:
            headers += self.cors.headers(environ)
        start_response(status, headers)
        self.answered += 1
        self._observe(rule, status[:3], time.perf_counter() - started)
        return [body]

    @staticmethod
    def _encoded(environ: Environ, body: bytes, etag: str, headers: list) -> bytes:
        accept = environ.get("HTTP_ACCEPT_ENCODING", "")
        if "gzip" not in accept or len(body) < compression.MIN_SIZE \
                or parse_accept_header(accept).quality("gzip") <= 0:
            return body
        headers.append(("Content-Encoding", "gzip"))
        return compression.gzipped(body, etag)

    def _observe(self, rule: str, status: str, seconds: float) -> None:
        key = rule + status
        child = self._latency.get(key)
        if child is None:
            child = self._latency[key] = REQUEST_LATENCY.labels("GET", rule, status)
        child.observe(seconds)

    # --- the caller, for /me reads ------------------------------------------------------

    def _caller(self, environ: Environ, read: Callable[[str, str], tuple]
                ) -> tuple[str, str | None, object]:
        """(user id, X-Consistency, what `read` read with the caller's records) of a live
        access token, once the person's own writes are in the read models: one Redis
        script, unless the person has writes still in flight (then what `read` read is
        None: read it again). Not a live access token: Declined (flask-jwt-extended
        answers the 401 itself)."""
        user_id, session_id = self._claims(environ)
        c = self.container
        found, extra = read(user_id, session_id)
        if not c.live_sessions.live_given(user_id, session_id, found.session, found.user):
            raise Declined
        if not found.behind:
            return user_id, None, extra
        consistency = c.own_writes.wait(user_id, c.settings.own_write_wait_seconds,
                                        partial(catch_up_own, c), found.behind)
        return user_id, consistency, None

    def _claims(self, environ: Environ) -> tuple[str, str]:
        scheme, _, token = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme != "Bearer" or not token:
            raise Declined
        claims = self._verified(token)
        user_id, session_id = claims.get("sub"), claims.get("sid")
        if claims.get("type") != "access" or not looks_like_uuid(user_id) \
                or not looks_like_uuid(session_id):
            raise Declined
        return user_id, session_id

    def _verified(self, token: str) -> dict:
        """The token's claims once its signature and times check out. A token verified
        before (the same bytes) is only checked for expiry again: a person's client
        sends one access token for its whole lifetime, and PyJWT costs ~30 µs a decode."""
        claims = self._tokens.get(token)
        if claims is not None and time.time() < claims["exp"]:
            return claims
        try:
            claims = jwt.decode(token, self.secret, algorithms=[self.algorithm])
        except jwt.InvalidTokenError:
            raise Declined from None
        if not isinstance(claims.get("exp"), int):
            raise Declined
        if len(self._tokens) >= VERIFIED_TOKENS:
            self._tokens.pop(next(iter(self._tokens)))
        self._tokens[token] = claims
        return claims

    # --- handlers -----------------------------------------------------------------------

    def _detail(self, environ: Environ, _args: dict) -> Answer | None:
        if "HTTP_AUTHORIZATION" in environ:
            raise Declined      # the detail then carries the caller's `me`
        tmdb_id, c = environ["movienexus.hot"], self.container
        if not 0 < tmdb_id <= MAX_INT32:
            raise Declined      # the Flask app's 404
        found = catalog_queries.detail_of(c.documents, c.engine, tmdb_id)
        if found is None or not found.body or not found.complete:
            raise Declined
        return Answer(found.body)

    def _curated(self, name: str) -> Handler:
        def handler(environ: Environ, args: dict) -> Answer:
            return self._list(environ, name, args)
        return handler

    def _trending(self, environ: Environ, args: dict) -> Answer:
        window = args.get("window", "day")
        if window not in ("day", "week"):
            raise Declined
        return self._list(environ, f"trending_{window}", args)

    def _list(self, environ: Environ, name: str, args: dict) -> Answer:
        if "HTTP_AUTHORIZATION" in environ:
            raise Declined
        page, size = page_args(args)
        c = self.container
        found = catalog_queries.list_page(c.documents, c.engine, name, page, size)
        return Answer(page_body(found, page, size))

    def _search(self, environ: Environ, args: dict) -> Answer:
        if "HTTP_AUTHORIZATION" in environ or "q" not in args:
            raise Declined
        q = _unquoted(args["q"])
        page, size = page_args(args)
        c = self.container
        key = catalog_queries.search_cache_key(c.documents, q, page, size)
        cached = catalog_queries.cached_search(c.cache, c.documents, c.engine, key)
        if cached is None:
            raise Declined      # computed, and cached, by the Flask app
        return Answer(page_body(cached, page, size))

    def _me(self, environ: Environ, _args: dict) -> Answer:
        c = self.container

        def read(user_id: str, session_id: str) -> tuple:
            found = c.caller_reads.read(user_id, session_id, me_key(user_id))
            document = found.documents[0]
            document_cache.count(hits=int(document is not None), misses=int(document is None))
            return found, document
        user_id, consistency, document = self._caller(environ, read)
        if document is None:
            document = me_document(c.documents, c.engine, user_id)
            if document is None:
                raise Declined
        return Answer(document, consistency, etag=False)

    def _entries(self, kind: str) -> Handler:
        def handler(environ: Environ, args: dict) -> Answer:
            page, size = page_args(args)
            first, c = (page - 1) * size, self.container

            def read(user_id: str, session_id: str) -> tuple:
                return c.caller_reads.read_entries(user_id, session_id, kind, first,
                                                   first + size - 1, True, CARD_PREFIX)
            user_id, consistency, found = self._caller(environ, read)
            stores = c.library_reads
            ready = library_queries.page_of_entries(stores, found)
            if ready is None:
                ready = library_queries.entries_page(stores, user_id, kind, PLAIN_ENTRIES,
                                                     page, size)
            return Answer(page_body(ready, page, size), consistency)
        return handler

    def _stats(self, environ: Environ, _args: dict) -> Answer:
        c = self.container
        since_ms = int(library_queries.recent_since() * 1000)

        def read(user_id: str, session_id: str) -> tuple:
            return c.caller_reads.read_stats(user_id, session_id, since_ms)
        user_id, consistency, found = self._caller(environ, read)
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


def _request_id(environ: Environ) -> str:
    incoming = environ.get("HTTP_X_REQUEST_ID", "")
    return incoming if _REQUEST_ID.match(incoming) else os.urandom(16).hex()
