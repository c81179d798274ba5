"""The test environment for every tier, and the service tiers' fixtures only where they
run: a run of tests/unit alone loads no service fixture and touches no service (its
fixtures are in tests/unit); any other run registers tests/support/services.py, which
checks, creates and migrates the services and cleans the broker up at the end."""
from pathlib import Path

from tests.support.env import apply_test_environment

apply_test_environment()

from tests.support import services  # noqa: E402 (importing it opens nothing)
# Names the service tiers import from here.
from tests.support.services import Pipeline, pipeline_env  # noqa: E402,F401

UNIT_TIER = Path(__file__).resolve().parent / "unit"


def pytest_configure(config):
    if any(_needs_services(config, arg) for arg in config.args):
        config.pluginmanager.register(services, "movienexus-services")


def _needs_services(config, arg: str) -> bool:
    """Anything but a path inside tests/unit (a directory, file or node id)."""
    path = Path(arg.split("::", 1)[0])
    if not path.is_absolute():
        path = Path(config.invocation_params.dir) / path
    path = path.resolve()
    return path != UNIT_TIER and UNIT_TIER not in path.parents
