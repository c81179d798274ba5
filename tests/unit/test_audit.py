"""make test's dependency audit: a known vulnerability fails it; a vulnerability service
that cannot be reached is said plainly and does not fail it. pip-audit is replaced by a
stand-in that answers as pip-audit does (its JSON report, its exit codes)."""
from __future__ import annotations

import json
import sys
import textwrap

import pytest

from movienexus.devtools import audit

STAND_IN = textwrap.dedent("""
    import json, sys
    args = sys.argv[1:]
    service = args[args.index("--vulnerability-service") + 1]
    answers = json.loads(open(sys.argv[0] + ".json").read())
    answer = answers.get(service)
    if answer is None:
        sys.exit("requests.exceptions.ConnectionError: Failed to resolve 'api.osv.dev'")
    open(args[args.index("-o") + 1], "w").write(json.dumps({"dependencies": answer}))
    sys.exit(1 if any(d.get("vulns") for d in answer) else 0)
""")
CLEAN = [{"name": "flask", "version": "3.1.3", "vulns": []},
         {"name": "requests", "version": "2.34.2", "vulns": []}]
VULNERABLE = [{"name": "flask", "version": "3.1.3", "vulns": []},
              {"name": "requests", "version": "2.31.0", "vulns": [
                  {"id": "GHSA-9hjg-9r4m-mvj7", "fix_versions": ["2.32.4"]}]}]
SKIPPED = [{"name": name, "skip_reason": f"Dependency not found on PyPI and could not be "
            f"audited: {name}"} for name in ("flask", "requests")]


def run(tmp_path, capsys, answers: dict) -> tuple[int, str]:
    fake = tmp_path / "pip_audit_stand_in.py"
    fake.write_text(STAND_IN)
    (tmp_path / "pip_audit_stand_in.py.json").write_text(json.dumps(answers))
    lock = tmp_path / "constraints.txt"
    lock.write_text("flask==3.1.3\nrequests==2.34.2\n")
    code = audit.report(audit.audit(lock, [sys.executable, str(fake)]), lock)
    return code, capsys.readouterr().out


def test_a_clean_lock_passes_and_says_how_many_were_audited(tmp_path, capsys):
    code, out = run(tmp_path, capsys, {"pypi": CLEAN})
    assert code == 0 and "no known vulnerabilities in 2 packages" in out
    assert "NOT AUDITED" not in out


@pytest.mark.parametrize("service", ["pypi", "osv"])
def test_a_known_vulnerability_fails_and_names_the_fix(tmp_path, capsys, service):
    answers = {"pypi": SKIPPED, "osv": VULNERABLE} if service == "osv" else {"pypi": VULNERABLE}
    code, out = run(tmp_path, capsys, answers)
    assert code == 1
    assert "requests==2.31.0: GHSA-9hjg-9r4m-mvj7 (fixed in 2.32.4)" in out and "FAILED" in out


def test_no_per_version_data_on_pypi_and_osv_unreachable_is_not_audited_not_a_pass(
        tmp_path, capsys):
    """pip-audit alone would print "No known vulnerabilities found" and exit 0 here."""
    code, out = run(tmp_path, capsys, {"pypi": SKIPPED})
    assert code == 0
    assert "NOT AUDITED" in out and "could not be reached for 2 package(s)" in out
    assert "api.osv.dev" in out and "no known vulnerabilities" not in out


def test_no_service_at_all_is_not_audited(tmp_path, capsys):
    code, out = run(tmp_path, capsys, {})
    assert code == 0 and "NOT AUDITED" in out
