"""The lock (requirements/constraints.txt) that make run and make test install from pins
every requirement of setup.cfg inside its range, and the virtualenv matches it. A branch
that adds or raises a dependency without `make lock` fails here, with the fix named."""
from __future__ import annotations

import configparser
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements" / "constraints.txt"
FIX = "run `make lock` and commit requirements/constraints.txt"


def declared() -> list[Requirement]:
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    lines = config["options"]["install_requires"].splitlines()
    lines += config["options.extras_require"]["test"].splitlines()
    return [Requirement(line) for line in lines if line.strip()]


def locked() -> dict[str, str]:
    pins = {}
    for line in LOCK.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, pinned = line.split("==")
            pins[canonicalize_name(name)] = pinned.strip()
    return pins


def test_every_requirement_is_pinned_within_its_range():
    pins = locked()
    for requirement in declared():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is not in the lock: {FIX}"
        assert requirement.specifier.contains(pins[name], prereleases=True), \
            f"the lock pins {requirement.name}=={pins[name]}, outside {requirement}: {FIX}"


def test_the_virtualenv_has_the_locked_versions():
    wrong = {}
    for name, pinned in locked().items():
        try:
            installed = version(name)
        except PackageNotFoundError:
            installed = None
        if installed != pinned:
            wrong[name] = (pinned, installed)
    assert not wrong, f"locked vs installed: {wrong}; `make install` reinstalls from the lock"
