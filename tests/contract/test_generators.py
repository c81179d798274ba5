"""Generators as a test tier: the served document, given to tools nobody here wrote, as a
new frontend team would (issue 15). Each test prints its figures.

- Redocly CLI's recommended rules: 0 errors.
- openapi-typescript: the committed client's types are what it generates from the served
  document, and `tsc --strict` over the client and its journey reports 0 errors.
- openapi-python-client, default configuration: it generates, `mypy --strict` over a
  journey written against the generated package reports 0 errors, and the journey runs.
"""
from __future__ import annotations

import json
import os
import re
import subprocess

import pytest
import requests

from movienexus.devtools.openapi_document import canonical
from movienexus.devtools.processes import VENV_BIN
from tests.support.frontend import CLIENT, REPO, npx

JOURNEY = REPO / "tests" / "contract" / "generated_python_journey.py"


@pytest.fixture(scope="module")
def served(contract_api, tmp_path_factory):
    path = tmp_path_factory.mktemp("served") / "openapi.json"
    document = requests.get(f"{contract_api}/api/v1/openapi.json", timeout=10).json()
    path.write_text(canonical(document))
    return path


def test_redocly_recommended_rules_find_no_error(served):
    run = npx("redocly", "lint", "--extends=recommended", "--format=json", str(served))
    report = json.loads(run.stdout[run.stdout.index("{"):])
    totals = report["totals"]
    rules = sorted({problem["ruleId"] for problem in report["problems"]})
    print(f"\nRedocly lint (recommended): {totals['errors']} errors, "
          f"{totals['warnings']} warnings {rules}")
    assert totals["errors"] == 0, json.dumps(report["problems"], indent=1)[:5000]


def test_openapi_typescript_types_are_current_and_tsc_strict_finds_no_error(served, tmp_path):
    assert served.read_text() == (CLIENT / "openapi.json").read_text(), (
        "clients/typescript/openapi.json differs from the served document: run `make client`")
    generated = tmp_path / "schema.ts"
    run = npx("openapi-typescript", str(served), "--output", str(generated))
    assert run.returncode == 0, run.stdout + run.stderr
    assert generated.read_text() == (CLIENT / "src" / "schema.ts").read_text(), (
        "clients/typescript/src/schema.ts is out of date with the API: run `make client`")
    check = npx("tsc", "-p", str(CLIENT / "tsconfig.test.json"), "--noEmit", "--strict")
    errors = re.findall(r"error TS\d+", check.stdout)
    print(f"\nopenapi-typescript + tsc --strict (client and its journey): {len(errors)} errors")
    assert check.returncode == 0 and not errors, check.stdout[-5000:]


def test_openapi_python_client_generates_and_mypy_strict_finds_no_error(served, tmp_path,
                                                                         contract_api,
                                                                         contract_catalog):
    env = {**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}"}
    run = subprocess.run([str(VENV_BIN / "openapi-python-client"), "generate", "--path",
                          str(served), "--output-path", str(tmp_path / "generated")],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    warnings = run.stdout.count("Warning") + run.stderr.count("Warning")
    assert run.returncode == 0 and not warnings, run.stdout + run.stderr
    package = tmp_path / "generated"
    check = subprocess.run([str(VENV_BIN / "mypy"), "--strict", "--no-incremental",
                            str(JOURNEY)], cwd=tmp_path, capture_output=True, text=True,
                           env={**env, "MYPYPATH": str(package)}, timeout=300)
    errors = re.findall(r": error:", check.stdout)
    print(f"\nopenapi-python-client: generated, {warnings} warnings; "
          f"mypy --strict over the journey: {len(errors)} errors")
    assert check.returncode == 0 and not errors, check.stdout[-5000:]

    journey = subprocess.run([str(VENV_BIN / "python"), str(JOURNEY), contract_api],
                             env={**env, "PYTHONPATH": str(package)}, capture_output=True,
                             text=True, timeout=120)
    assert journey.returncode == 0 and "python journey: ok" in journey.stdout, \
        journey.stdout + journey.stderr[-5000:]
