"""docker-compose.yml runs the same processes as the Procfile that `make run` uses."""
import re

from tests.support.env import ROOT
from tests.support.stack import procfile

INFRASTRUCTURE = {"postgres", "redis", "redis-cache", "rabbitmq", "migrate"}


def compose_services() -> set[str]:
    text = (ROOT / "docker-compose.yml").read_text()
    block = text.split("\nservices:\n", 1)[1].split("\nvolumes:", 1)[0]
    return set(re.findall(r"^  ([a-z][a-z0-9_-]*):\s*$", block, flags=re.M))


def test_compose_and_procfile_name_the_same_processes():
    assert compose_services() - INFRASTRUCTURE == set(procfile())


def test_make_run_starts_every_procfile_process():
    script = (ROOT / "scripts" / "run.sh").read_text()
    named = set(re.search(r"processes=\(([^)]*)\)", script).group(1).split()) | {"tmdb"}
    assert named == set(procfile())
