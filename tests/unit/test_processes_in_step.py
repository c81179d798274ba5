"""docker-compose.yml runs the same processes as the Procfile that `make run` uses."""
import os
import re
import subprocess

from movienexus.devtools.processes import VENV_BIN
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


def gunicorn_access_log(env: dict[str, str], *arguments: str) -> str:
    """The access log gunicorn would write, as it resolves it (settings file, then flags)."""
    environment = {k: v for k, v in os.environ.items() if k != "ACCESS_LOG"}
    shown = subprocess.run([str(VENV_BIN / "gunicorn"), "--print-config", *arguments,
                            "bench.bare_app:app"], cwd=ROOT, capture_output=True, text=True,
                           env={**environment, **env}, timeout=120).stdout
    return re.search(r"^accesslog\s+= (.*)$", shown, flags=re.M).group(1).strip()


def test_make_runs_access_log_is_a_file_and_compose_writes_to_stdout():
    """Through honcho's pipe the access log cost ~30 % of read throughput: `make run`'s
    gunicorn writes it to var/log/access.log (ACCESS_LOG moves it); in a container it is
    stdout, where the container's log driver reads it."""
    assert "--access-logfile" not in procfile()["api"]
    assert gunicorn_access_log({}) == "var/log/access.log"
    assert gunicorn_access_log({"ACCESS_LOG": "var/log/other.log"}) == "var/log/other.log"
    compose = (ROOT / "docker-compose.yml").read_text()
    api = re.search(r"^  api:\n(?:    .*\n)*?    command: (.*)$", compose, flags=re.M).group(1)
    assert "--access-logfile -" in api


def consumed_queues(command: str) -> set[str]:
    queues = re.search(r"-Q (\S+)", command).group(1)
    return {q.replace("${AMQP_NAMESPACE:-movienexus}.", "").replace("movienexus.", "")
            for q in queues.split(",")}


def compose_commands() -> dict[str, str]:
    text = (ROOT / "docker-compose.yml").read_text()
    return dict(re.findall(r"^  ([a-z-]+):\n(?:    .*\n)*?    command: (.*)$", text, flags=re.M))


def test_each_queue_has_one_worker_and_the_people_lane_one_of_its_own():
    """Every queue the topology declares is consumed by exactly one worker, the same one
    in both ways of running it; the people lane's worker consumes its projections only
    (the emails and recommendations took the slots its projections need)."""
    from adapters.messaging import topology
    declared = {q.name.removeprefix("ns.") for q in topology.queues("ns")}
    for commands in (procfile(), compose_commands()):
        workers = {name: consumed_queues(line) for name, line in commands.items()
                   if name.endswith("-worker")}
        consumed = [q for queues in workers.values() for q in queues]
        assert sorted(consumed) == sorted(declared)
        assert workers["people-worker"] == {topology.lane_queue_name("", topology.PEOPLE)[1:]}


def test_reactions_are_sent_to_the_reactions_queue():
    from adapters.messaging import topology
    assert topology.reactions_route("ns")["queue"] == "ns." + topology.REACTIONS
    assert topology.REACTIONS in consumed_queues(procfile()["reactions-worker"])
