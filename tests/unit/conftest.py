"""The unit tier's own fixtures: the in-memory unit of work and a clock that stands still
(no service; the service tiers' fixtures are never loaded for a run of tests/unit)."""
import pytest

from tests.unit.fakes import FakeClock, FakeUnitOfWork


@pytest.fixture
def uow():
    return FakeUnitOfWork()


@pytest.fixture
def clock():
    return FakeClock()
