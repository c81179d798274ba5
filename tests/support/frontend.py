"""The npm side of the repository (package.json at its root): the TypeScript client, the
web app and the contract tools, installed by `npm ci` in make run's and make test's set-up."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NODE_BIN = REPO / "node_modules" / ".bin"
CLIENT = REPO / "clients" / "typescript"


def node_summary(output: str) -> dict[str, int]:
    """The counts Node's test runner prints last (`ℹ pass 5`)."""
    return {name: int(count) for name, count in
            re.findall(r"^\S* ?(tests|pass|fail|skipped) (\d+)$", output, re.MULTILINE)}


def npx(tool: str, *args: str, **kwargs) -> subprocess.CompletedProcess:
    """A tool from the locked node_modules (never a download)."""
    return subprocess.run([str(NODE_BIN / tool), *args], cwd=kwargs.pop("cwd", REPO),
                          capture_output=True, text=True, timeout=kwargs.pop("timeout", 300),
                          **kwargs)
