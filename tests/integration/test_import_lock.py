"""One runner per import (adapters/db/imports.py `ImportStore.running`), on the real
database: the job is held while a run lasts and let go however the run ends, so a run
that failed does not keep its own retry out (a session lock outlives a pooled
connection's return to the pool)."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine

from adapters.db.imports import ImportStore


@pytest.fixture
def store(settings):
    engine = create_engine(settings.database_url, pool_size=1, max_overflow=0)
    yield ImportStore(engine)
    engine.dispose()


@pytest.fixture
def other(settings):
    engine = create_engine(settings.database_url, pool_size=1, max_overflow=0)
    yield ImportStore(engine)
    engine.dispose()


def test_a_run_holds_its_import_against_another_runner(store, other):
    import_id = str(uuid.uuid4())
    with store.running(import_id) as held:
        assert held
        with other.running(import_id) as also:
            assert not also
    with other.running(import_id) as held_after:
        assert held_after


def test_a_run_that_raised_lets_its_import_go(store, other):
    import_id = str(uuid.uuid4())
    with pytest.raises(TypeError):
        with store.running(import_id) as held:
            assert held
            raise TypeError("a row the matcher cannot read")
    with other.running(import_id) as held_by_another_process:
        assert held_by_another_process
