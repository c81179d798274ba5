"""The OpenAPI document tells the truth: schemathesis, every check on, against the API
served by gunicorn (tests/contract/conftest.py). Configuration, bounds and the few
things a schema cannot say: tests/contract/schemathesis.toml."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import requests

from movienexus.devtools.processes import VENV_BIN

CONFIG = Path(__file__).with_name("schemathesis.toml")
# Served by the events process, not the API under test (schemathesis.toml says why).
NOT_SERVED_HERE = {"GET /api/v1/me/events"}
RUN_TIMEOUT_SECONDS = 480


def test_every_operation_keeps_the_documented_contract(contract_api, contract_user,
                                                       contract_catalog, tmp_path):
    spec = requests.get(f"{contract_api}/api/v1/openapi.json", timeout=10).json()
    operations = {f"{method.upper()} {path}" for path, item in spec["paths"].items()
                  for method in item if method != "parameters"} - NOT_SERVED_HERE
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG.read_text() + known_ids(contract_catalog))
    report = tmp_path / "report.ndjson"
    run = subprocess.run(
        [str(VENV_BIN / "schemathesis"), "--config-file", str(config), "--no-color", "run",
         f"{contract_api}/api/v1/openapi.json", "--report", "ndjson",
         "--report-ndjson-path", str(report)],
        cwd=tmp_path, capture_output=True, text=True, timeout=RUN_TIMEOUT_SECONDS,
        env={**os.environ, "CONTRACT_EMAIL": contract_user.email,
             "CONTRACT_PASSWORD": contract_user.password})
    summary = run.stdout[run.stdout.rfind("SUMMARY"):]
    print(summary)
    assert run.returncode == 0, run.stdout[-30000:] + run.stderr[-3000:]
    tested = operations_in_report(report)
    assert tested == operations, (operations - tested, tested - operations)
    assert " passed" in summary and "failure" not in summary, summary


def known_ids(catalog) -> str:
    """Ids that exist, drawn half the time, so detail and list reads answer 200 too."""
    return (f"\n[dictionaries.movie_ids]\nvalues = {catalog.movie_ids}\n"
            f"[dictionaries.genre_ids]\nvalues = {catalog.genre_ids}\n"
            '[parameters]\n"path.tmdb_id" = { dictionary = "movie_ids", probability = 0.5 }\n'
            '"path.genre_id" = { dictionary = "genre_ids", probability = 0.5 }\n')


def operations_in_report(report: Path) -> set[str]:
    """Operations schemathesis sent requests to, read from its event report."""
    labels = set()
    for line in report.read_text().splitlines():
        labels.update(_labels(json.loads(line)))
    return labels


def _labels(event) -> set[str]:
    found = set()
    if isinstance(event, dict):
        for key, value in event.items():
            if key == "label" and isinstance(value, str) and value.split(" ")[0].isupper():
                found.add(value)
            else:
                found |= _labels(value)
    elif isinstance(event, list):
        for value in event:
            found |= _labels(value)
    return found
