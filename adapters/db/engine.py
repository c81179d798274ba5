"""Engines are made once per process and per URL, and never cross a fork."""
from __future__ import annotations

import weakref
from functools import lru_cache

from sqlalchemy import Engine, create_engine

_made: "weakref.WeakSet[Engine]" = weakref.WeakSet()


@lru_cache(maxsize=8)
def engine_for(url: str, pool_size: int = 10) -> Engine:
    """No pre-ping (it costs a round trip per checkout on the hot path): a connection
    that died with a database restart fails once, as OperationalError, which the API
    answers with 503 and the workers retry; the pool then replaces it.

    `hide_parameters`: statement parameters (a password hash among them) never reach
    an error message or a log line."""
    engine = create_engine(url, pool_size=pool_size, max_overflow=20, pool_recycle=600,
                           hide_parameters=True)
    _made.add(engine)
    return engine


def forget_inherited_pools() -> int:
    """In a process just forked: every engine made before the fork gets a new, empty
    pool. The parent's connections are dropped without being closed (closing them here
    would end them for the parent too; psycopg never closes a connection of another
    process). Two processes on one backend connection would commit each other's
    statements. Returns how many engines it reset."""
    engines = list(_made)
    for engine in engines:
        engine.dispose(close=False)
    return len(engines)
