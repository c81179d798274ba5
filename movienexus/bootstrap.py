"""The one place that wires concrete adapters; the API, workers, CLI and tests use it."""
from __future__ import annotations

import inspect
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, Callable

import redis
from sqlalchemy import Engine

from adapters.db.engine import engine_for, forget_inherited_pools
from adapters.db.uow import SqlAlchemyUnitOfWork
from adapters.email_tokens import EmailTokens
from adapters.mailer import SmtpMailer
from adapters.messaging.task_sender import TaskSender
from adapters.passwords import Argon2PasswordHasher
from adapters.revocations import LiveSessions
from domain.accounts.handlers import HANDLERS as ACCOUNT_HANDLERS
from domain.catalog.handlers import HANDLERS as CATALOG_HANDLERS
from domain.library.handlers import HANDLERS as LIBRARY_HANDLERS
from domain.ports import Clock, CommitResult, MessageContext, PasswordHasher, SystemClock, \
    UnitOfWork
from movienexus.config import Settings, load
from notifications.reactor import EmailReactor
from read_models.projections.accounts import SessionsTable, UsersTable
from read_models.stores.activity import LastActivities
from read_models.projections.catalog import GenresTable, ListsTable, MoviesTable
from read_models.projections.library import LibraryTable
from read_models.queries.library_queries import Stores as LibraryStores
from read_models.stores.library_redis import LibraryDocuments
from read_models.stores.debounce import DebouncedAsk
from read_models.projections.movie_counters import MovieCounters
from read_models.recommender.recommendations import Recommender, recommendation_requests
from read_models.stores.redis_docs import RedisDocuments
from read_models.projections.runner import ProjectionRunner

if TYPE_CHECKING:
    from read_models.operations.rebuild import ReadModelRebuild
    from read_models.operations.verify import ReadModelVerify
    from read_models.queries.caller_reads import CallerReads
    from read_models.queries.own_writes import OwnWrites
    from read_models.operations.sweeper import CatchUpSweeper

FOLD_DELAY_SECONDS = 0.2  # cards show new counts this long after a burst of favorites
HANDLERS: dict[type, Callable] = {**ACCOUNT_HANDLERS, **CATALOG_HANDLERS,
                                  **LIBRARY_HANDLERS}


@dataclass(frozen=True)
class Handled:
    """What a handler returned, and what its commit wrote."""

    value: Any
    commit: CommitResult


class Container:
    """Builds each adapter on first use. `unit_of_work`, `clock` and `hasher` replace the
    real ones (tests/unit hands in an in-memory unit of work, as cosmicpython does)."""

    def __init__(self, settings: Settings | None = None, *,
                 unit_of_work: UnitOfWork | None = None, clock: Clock | None = None,
                 hasher: PasswordHasher | None = None,
                 request_recommendations: Callable[[str], None] | None = None,
                 inline_folds: bool = False):
        self.settings = settings or load()
        self.clock = clock or SystemClock()
        self._given_unit_of_work = unit_of_work
        if hasher is not None:
            self.__dict__["hasher"] = hasher
        if request_recommendations is not None:
            self.__dict__["request_recommendations"] = request_recommendations
        self.inline_folds = inline_folds

    @cached_property
    def engine(self) -> Engine:
        return engine_for(self.settings.database_url)

    @cached_property
    def redis(self) -> redis.Redis:
        return redis.Redis.from_url(self.settings.redis_url, socket_timeout=2,
                                    socket_connect_timeout=2, health_check_interval=30)

    @cached_property
    def cache(self) -> redis.Redis:
        """Caches only (search pages, asked searches, TMDb misses): a Redis database of
        their own, so that under memory pressure they are what goes, never the live
        session records. Short timeouts: a cache that hangs must not hold a request."""
        return redis.Redis.from_url(self.settings.cache_redis_url, socket_timeout=0.5,
                                    socket_connect_timeout=0.5, health_check_interval=30)

    @cached_property
    def documents(self) -> RedisDocuments:
        return RedisDocuments(self.redis)

    @cached_property
    def library_documents(self) -> LibraryDocuments:
        return LibraryDocuments(self.redis)

    @cached_property
    def library_reads(self) -> LibraryStores:
        return LibraryStores(self.documents, self.library_documents, self.engine)

    @cached_property
    def movie_counters(self) -> MovieCounters:
        return self.movie_counters_on(self.engine)

    def movie_counters_on(self, engine: Engine) -> MovieCounters:
        """Live: folds are asked of the workers (debounced), unless `inline_folds`; a
        rebuild's (another engine) fold at once, under a lock of their own."""
        live = engine is self.engine
        request = None if self.inline_folds or not live else self.fold_requests
        return MovieCounters(engine, self.documents,
                             f"movie-counters:fold-lock:{'live' if live else 'rebuild'}",
                             request)

    @cached_property
    def fold_requests(self) -> DebouncedAsk:
        return DebouncedAsk(self.redis, lambda _subject: "movie-counters:fold-asked",
                            self.tasks.fold_counters_later, FOLD_DELAY_SECONDS)

    @cached_property
    def tasks(self) -> TaskSender:
        """Sends our tasks to the workers, in this container's namespace."""
        return TaskSender(self.settings)

    @cached_property
    def recommender(self) -> Recommender:
        return Recommender(self.engine, self.library_documents)

    @cached_property
    def request_recommendations(self) -> Callable[[str], None]:
        """Asks the workers to recompute a person's recommendations (at once, then at most
        every RECOMMENDATIONS_DELAY_SECONDS)."""
        return recommendation_requests(self.redis, self.tasks.recommend_later,
                                       self.settings.recommendations_delay_seconds)

    @cached_property
    def hasher(self) -> Argon2PasswordHasher:
        return Argon2PasswordHasher()

    @cached_property
    def email_tokens(self) -> EmailTokens:
        s = self.settings
        return EmailTokens(s.email_token_secret, s.verify_token_hours * 3600,
                           s.reset_token_minutes * 60)

    @cached_property
    def projection_runner(self) -> ProjectionRunner:
        return self.projection_runner_on(self.engine)

    def projection_runner_on(self, engine: Engine) -> ProjectionRunner:
        """Every projection, writing through `engine` (the rebuild gives its own)."""
        live = engine is self.engine
        projections = [UsersTable(self.documents, self.live_sessions),
                       SessionsTable(self.live_sessions),
                       MoviesTable(self.documents),
                       GenresTable(self.documents),
                       ListsTable(self.documents),
                       LibraryTable(engine, self.library_documents,
                                    self.movie_counters_on(engine),
                                    self.request_recommendations if live else _no_request)]
        return ProjectionRunner(projections, self.documents, engine,
                                self.last_activities if live else None)

    @cached_property
    def last_activities(self) -> LastActivities:
        return LastActivities(self.redis, self.engine)

    @cached_property
    def caller_reads(self) -> "CallerReads":
        from read_models.queries.caller_reads import CallerReads
        return CallerReads(self.redis)

    @cached_property
    def own_writes(self) -> "OwnWrites":
        from read_models.queries.own_writes import OwnWrites
        return OwnWrites(self.documents)

    def sweeper(self, lane: str) -> "CatchUpSweeper":
        from read_models.operations.sweeper import CatchUpSweeper
        s = self.settings
        return CatchUpSweeper(self.engine, self.projection_runner, lane,
                              lookback=s.sweep_lookback, grace=s.sweep_grace)

    def read_model_rebuild(self) -> "ReadModelRebuild":
        from read_models.operations.rebuild import ReadModelRebuild
        return ReadModelRebuild(self.engine, self.projection_runner_on)

    def read_model_verify(self, workers: int = 2) -> "ReadModelVerify":
        from read_models.operations.verify import ReadModelVerify
        return ReadModelVerify(self.engine, self.projection_runner_on, self.documents,
                               self.movie_counters, workers)

    @cached_property
    def live_sessions(self) -> LiveSessions:
        return LiveSessions(self.redis, self.engine, self.settings.refresh_token_days * 86400)

    @cached_property
    def email_reactor(self) -> EmailReactor:
        s = self.settings
        mailer = SmtpMailer(s.smtp_host, s.smtp_port, s.mail_from)
        return EmailReactor(self.engine, mailer, self.email_tokens, s.public_base_url,
                            s.reset_token_minutes)

    @cached_property
    def tmdb(self):
        """The TMDb client (the real TMDb with a key, else the bundled server)."""
        from adapters.tmdb import build_tmdb_client
        return build_tmdb_client(self.settings, self.redis)

    @cached_property
    def tmdb_interactive(self):
        """For calls made while a person waits (opening or searching a movie we do not
        have): short timeouts and one retry, so a TMDb outage costs seconds, not minutes."""
        from adapters.tmdb import build_tmdb_client
        return build_tmdb_client(self.settings, self.redis, connect_timeout=1.5,
                                 read_timeout=4, max_retries=1, backoff=0.2,
                                 max_rate_limited_retries=1, max_retry_after=2,
                                 rate_limit_timeout=2)

    def unit_of_work(self, context: MessageContext | None = None) -> UnitOfWork:
        if self._given_unit_of_work is not None:
            self._given_unit_of_work.context = context or MessageContext()
            return self._given_unit_of_work
        return SqlAlchemyUnitOfWork(context=context or MessageContext(), engine=self.engine)

    def handle(self, command: object, context: MessageContext | None = None) -> Handled:
        """Runs a command's handler, giving it the dependencies it names."""
        handler = HANDLERS[type(command)]
        uow = self.unit_of_work(context)
        available = {"uow": uow, "hasher": self.hasher, "clock": self.clock}
        wanted = inspect.signature(handler).parameters
        kwargs = {name: dep for name, dep in available.items() if name in wanted}
        value = handler(command, **kwargs)
        return Handled(value=value, commit=uow.result)


def after_fork() -> None:
    """In a process just forked (a Celery pool process, a gunicorn worker, a rebuild
    worker): nothing of the parent's connections is used here. Every engine gets an
    empty pool (`forget_inherited_pools`) and the process-wide container's Redis
    clients drop the parent's connections (without closing them: they are the
    parent's). See DESIGN.md, "Nothing crosses a fork"."""
    forget_inherited_pools()
    if _default is not None:
        for name in ("redis", "cache"):
            client = _default.__dict__.get(name)
            if client is not None:
                client.connection_pool.reset()


def _no_request(_user_id: str) -> None:
    """A rebuild replays history: nobody's recommendations need asking for again."""


_default: Container | None = None


def bootstrap(settings: Settings | None = None, **dependencies: Any) -> Container:
    """The process-wide container (built on first use, never at import); with settings
    or dependencies (unit_of_work, clock, hasher), a container of its own."""
    global _default
    if settings is not None or dependencies:
        return Container(settings, **dependencies)
    if _default is None:
        _default = Container()
    return _default
