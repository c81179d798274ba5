"""The ``tmdb_server`` fixture: one bundled TMDb-compatible server per test session.

Import it into a conftest (``from tests.support.fixtures_tmdb import tmdb_server``).
The server is shared: a test that sets faults or edits movies should call
``tmdb_server.reset()`` afterwards (edits and deletions stay; use unique movies),
or start its own with ``tests.support.tmdb_server.running_tmdb_server``.
"""
from __future__ import annotations

from typing import Iterator

import pytest

from tests.support.tmdb_server import TmdbServer, running_tmdb_server


@pytest.fixture(scope="session")
def tmdb_server() -> Iterator[TmdbServer]:
    with running_tmdb_server() as server:
        yield server
