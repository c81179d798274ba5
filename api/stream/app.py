"""The tornado application of the event stream: GET /api/v1/me/events and /healthz."""
from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from http import HTTPStatus
from typing import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from tornado.iostream import StreamClosedError
from tornado.web import Application, RequestHandler

from adapters.revocations import LiveSessions
from api.finisher import request_id
from api.stream.auth import Caller, NotAuthenticated, bearer_token, caller_of
from api.stream.hub import Hub, Listener, Notice
from movienexus.config import Settings
from read_models.queries.person_events import LAST_POSITION, PERSON_EVENTS, event_document

PATH = "/api/v1/me/events"


@dataclass
class Streams:
    """What every stream shares in one process."""

    settings: Settings
    hub: Hub
    engine: AsyncEngine
    sessions: LiveSessions
    stats: Callable[[str], bytes]   # the person's GET /me/stats body

    async def stats_of(self, user_id: str, position: int) -> bytes:
        """The person's stats after `position`: one read for all of their streams."""
        return await self._shared(("stats", user_id, position), lambda: asyncio.get_running_loop()
                                  .run_in_executor(None, self.stats, user_id))

    async def live(self, caller: Caller) -> bool:
        return await asyncio.get_running_loop().run_in_executor(
            None, self.sessions.is_live, caller.user_id, caller.session_id)

    async def authenticate(self, authorization: str | None, query_token: str | None) -> Caller:
        token = bearer_token(authorization, query_token)
        return await asyncio.get_running_loop().run_in_executor(
            None, caller_of, token, self.settings.jwt_secret_key, self.sessions)

    def __post_init__(self) -> None:
        self._reading: dict[tuple, asyncio.Future] = {}

    async def events_after(self, user_id: str, position: int, limit: int) -> list:
        """One query however many of the person's streams ask at once (a change wakes
        them all at the same position)."""
        return await self._shared((user_id, position, limit),
                                  lambda: self._query(user_id, position, limit))

    async def head(self) -> int:
        """The log's last position: one query for every stream opening meanwhile (a
        thousand opening at once must not take a thousand connections)."""
        return await self._shared(("head",), self._head)

    def _shared(self, key: tuple, start: Callable[[], Awaitable]) -> Awaitable:
        if key not in self._reading:
            self._reading[key] = asyncio.ensure_future(start())
            self._reading[key].add_done_callback(lambda _f: self._reading.pop(key, None))
        return asyncio.shield(self._reading[key])

    async def _query(self, user_id: str, position: int, limit: int) -> list:
        async with self.engine.connect() as conn:
            return (await conn.execute(PERSON_EVENTS, {"user": user_id, "after": position,
                                                       "limit": limit})).all()

    async def _head(self) -> int:
        async with self.engine.connect() as conn:
            return (await conn.execute(LAST_POSITION)).scalar()


class CorsHandler(RequestHandler):
    """Any origin may read a stream: it is authorized by a bearer token only (never a
    cookie), so a page can read no more than the token it holds lets it (the web app,
    served by the API on another port, reads it so)."""

    def set_default_headers(self) -> None:
        self.set_header("Access-Control-Allow-Origin", "*")
        self.set_header("Access-Control-Expose-Headers", "X-Request-ID")
        self.request_id = request_id({"HTTP_X_REQUEST_ID":
                                      self.request.headers.get("X-Request-ID", "")})
        self.set_header("X-Request-ID", self.request_id)

    def options(self) -> None:
        self.set_status(204)
        self.set_header("Access-Control-Allow-Methods", "GET")
        self.set_header("Access-Control-Allow-Headers", "Authorization, Last-Event-ID, Accept, "
                                                        "Cache-Control")
        self.set_header("Access-Control-Max-Age", "600")
        self.finish()


class EventsHandler(CorsHandler):
    def initialize(self, streams: Streams) -> None:
        self.streams = streams

    async def get(self) -> None:
        try:
            caller = await self.streams.authenticate(self.request.headers.get("Authorization"),
                                                     self.get_query_argument("access_token",
                                                                             None))
        except NotAuthenticated as refused:
            return self._error(401, str(refused))
        position = await self._resume_position()
        if position is None:
            return self._error(400, "Last-Event-ID is the id of an event sent here.")
        self.set_header("Content-Type", "text/event-stream")
        self.set_header("Cache-Control", "no-cache")
        self.set_header("X-Accel-Buffering", "no")
        await self.flush()     # the headers at once: a client knows it is connected
        listener = self.streams.hub.listen(caller.user_id)
        try:
            await self._stream(caller, position, listener)
        except StreamClosedError:
            pass
        finally:
            self.streams.hub.forget(caller.user_id, listener)

    async def _stream(self, caller: Caller, position: int, listener: Listener) -> None:
        limit = self.streams.settings.events_replay_limit
        missed = await self.streams.events_after(caller.user_id, position, limit + 1)
        if len(missed) > limit:
            position = await self.streams.head()
            await self._send(f"id: {position}\nevent: reset\ndata: {{}}\n\n")
        else:
            position = await self._send_events(caller, missed, position)
        while await self.streams.live(caller):
            try:
                await asyncio.wait_for(listener.wake.wait(),
                                       self.streams.settings.events_heartbeat_seconds)
                listener.wake.clear()
                rows = await self.streams.events_after(caller.user_id, position, limit)
                position = await self._send_events(caller, rows, position)
                await self._send_notices(listener.take_notices())
            except asyncio.TimeoutError:
                await self._send(": heartbeat\n\n")
        await self._send("event: end\ndata: {\"reason\": \"session ended\"}\n\n")
        self.finish()

    async def _send_events(self, caller: Caller, rows: list, position: int) -> int:
        """The events, each with its position as id; then, when any changed the library,
        the person's stats as they now are (the runner announces an event once every
        projection, the stats' too, has applied it)."""
        for row in rows:
            await self._send(f"id: {row.position}\nevent: {row.event_type}\n"
                             f"data: {json.dumps(event_document(row))}\n\n")
            position = row.position
        if any(row.aggregate_type == "library" for row in rows):
            stats = json.loads(await self.streams.stats_of(caller.user_id, position))
            await self._send(f"event: stats\ndata: {json.dumps(stats)}\n\n")
        return position

    async def _send_notices(self, notices: list[Notice]) -> None:
        for notice in notices:
            await self._send(f"event: {notice.event}\ndata: {json.dumps(notice.data)}\n\n")

    async def _send(self, chunk: str) -> None:
        self.write(chunk)
        await self.flush()

    async def _resume_position(self) -> int | None:
        last = self.request.headers.get("Last-Event-ID") or \
            self.get_query_argument("last_event_id", None)
        if last is None:
            return await self.streams.head()
        return int(last) if last.isdigit() and len(last) < 19 else None

    def _error(self, code: int, message: str) -> None:
        self.set_status(code)
        self.set_header("Content-Type", "application/json")
        if code == 401:
            self.set_header("WWW-Authenticate", "Bearer")
        self.finish(json.dumps({"code": code, "status": HTTPStatus(code).phrase,
                                "message": message, "request_id": self.request_id}))


class HealthHandler(RequestHandler):
    def get(self) -> None:
        self.finish({"status": "ok"})


def make_app(streams: Streams) -> Application:
    return Application([(PATH, EventsHandler, {"streams": streams}),
                        ("/healthz", HealthHandler)])


def make_streams(settings: Settings, sessions: LiveSessions,
                 stats: Callable[[str], bytes]) -> Streams:
    return Streams(settings, Hub(settings.redis_url),
                   create_async_engine(settings.database_url, pool_size=10), sessions, stats)
