"""The test environment: read from scripts/test-env.sh so `make test` and a bare
`pytest` agree, and set before any project module reads its settings."""
from __future__ import annotations

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_EXPORT = re.compile(r'^export (\w+)="?\$\{(\w+):-(.*?)\}"?$|^export (\w+)="?(.*?)"?$')


def test_environment() -> dict[str, str]:
    values = {}
    for line in (ROOT / "scripts" / "test-env.sh").read_text().splitlines():
        match = _EXPORT.match(line.strip())
        if match and match.group(1):      # export NAME="${OVERRIDE:-default}"
            values[match.group(1)] = os.environ.get(match.group(2), match.group(3))
        elif match:
            values[match.group(4)] = match.group(5)
    return values


def apply_test_environment() -> None:
    for name, value in test_environment().items():
        os.environ.setdefault(name, value)
