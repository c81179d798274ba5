"""The unit tier runs with every service unreachable: tests/conftest.py loads the
service tiers' plugin (which checks, migrates and cleans up the services) only for a
run that includes a test outside tests/unit."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLOSED = {"TEST_DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:9/none",
          "TEST_REDIS_URL": "redis://127.0.0.1:9/1",
          "TEST_BROKER_URL": "amqp://guest:guest@127.0.0.1:9//"}


def _pytest(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "BROKER_URL")}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           *args], cwd=ROOT, env={**env, **CLOSED}, capture_output=True,
                          text=True, timeout=120)


def test_a_unit_run_passes_with_every_service_closed():
    done = _pytest("tests/unit/test_accounts_domain.py")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "passed" in done.stdout


def test_a_service_tier_run_still_checks_the_services():
    """The other side: the same closed ports stop a service tier's run at its start."""
    done = _pytest("--collect-only", "tests/integration/test_unit_of_work.py")
    assert done.returncode == 3, done.stdout + done.stderr
    assert "the tests need real services" in done.stdout + done.stderr
