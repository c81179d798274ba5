"""Engines are made once per process and per URL."""
from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Engine, create_engine


@lru_cache(maxsize=8)
def engine_for(url: str, pool_size: int = 10) -> Engine:
    return create_engine(url, pool_size=pool_size, max_overflow=20, pool_pre_ping=True,
                         pool_recycle=1800, future=True)
