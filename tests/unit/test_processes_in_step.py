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


FLOWER_BOUNDS = ("--max-tasks", "--max-workers")


def flower_bounds(command: str) -> dict[str, int]:
    return {name: int(value) for name, value in re.findall(r"(--max-[a-z]+)=(\d+)", command)}


def test_flower_keeps_a_bounded_history_the_same_in_both():
    """Flower keeps 100,000 tasks by default and grows until it holds them all; both
    ways of running it bound what it keeps, to the same figures."""
    compose = re.search(r"^\s+command: .*flower .*$", (ROOT / "docker-compose.yml")
                        .read_text(), flags=re.M).group(0)
    bounds = flower_bounds(procfile()["flower"])
    assert set(bounds) == set(FLOWER_BOUNDS)
    assert bounds == flower_bounds(compose)
    assert bounds["--max-tasks"] <= 20_000
