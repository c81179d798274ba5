"""Engines are made once per process and per URL."""
from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Engine, create_engine


@lru_cache(maxsize=8)
def engine_for(url: str, pool_size: int = 10) -> Engine:
    """No pre-ping (it costs a round trip per checkout on the hot path): a connection
    that died with a database restart fails once, as OperationalError, which the API
    answers with 503 and the workers retry; the pool then replaces it.

    `hide_parameters`: statement parameters (a password hash among them) never reach
    an error message or a log line."""
    return create_engine(url, pool_size=pool_size, max_overflow=20, pool_recycle=600,
                         hide_parameters=True)
