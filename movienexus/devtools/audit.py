"""`python -m movienexus.devtools.audit LOCK`: pip-audit over the lock file (make test,
make audit).

A known vulnerability fails (exit 1). A vulnerability service that cannot be reached
does not fail the run, but says so plainly: pip-audit itself reports "No known
vulnerabilities found" when PyPI has no per-version data for a package (a mirror that
serves only the package index answers 404), so its "skipped" packages are counted here
as not audited, and the OSV service is tried for them.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

SERVICES = ("pypi", "osv")
FAILED, PASSED = 1, 0


@dataclass
class Findings:
    audited: set[str] = field(default_factory=set)
    vulnerable: dict[str, list[str]] = field(default_factory=dict)
    not_audited: dict[str, str] = field(default_factory=dict)
    service_notes: list[str] = field(default_factory=list)


def pip_audit_command() -> list[str]:
    return [sys.executable, "-m", "pip_audit"]


def run_service(command: list[str], lock: Path, service: str) -> tuple[dict | None, str]:
    """One pip-audit run: its JSON report (None if it produced none) and its stderr."""
    with tempfile.TemporaryDirectory() as work:
        report = Path(work) / "report.json"
        done = subprocess.run(
            [*command, "-r", str(lock), "--no-deps", "--disable-pip", "--progress-spinner",
             "off", "--vulnerability-service", service, "--format", "json", "-o", str(report)],
            capture_output=True, text=True, timeout=600)
        text = report.read_text() if report.exists() else ""
    try:
        return (json.loads(text) if text else None), done.stderr
    except json.JSONDecodeError:
        return None, done.stderr


def audit(lock: Path, command: list[str] | None = None) -> Findings:
    command = command or pip_audit_command()
    findings = Findings()
    for service in SERVICES:
        report, stderr = run_service(command, lock, service)
        if report is None:
            findings.service_notes.append(f"{service}: {_last_line(stderr)}")
            continue
        skipped = [d["skip_reason"] for d in report.get("dependencies", []) if "skip_reason" in d]
        if skipped:
            findings.service_notes.append(f"{service}: {len(skipped)} skipped, e.g. {skipped[0]!r}")
        for dependency in report.get("dependencies", []):
            name = f"{dependency['name']}=={dependency.get('version', '?')}"
            if "skip_reason" in dependency:
                findings.not_audited.setdefault(dependency["name"], dependency["skip_reason"])
                continue
            findings.audited.add(dependency["name"])
            findings.not_audited.pop(dependency["name"], None)
            for vuln in dependency.get("vulns", []):
                fixed = ", ".join(vuln.get("fix_versions") or []) or "no fix yet"
                findings.vulnerable.setdefault(name, []).append(f"{vuln['id']} (fixed in {fixed})")
        if not findings.not_audited:
            break
    return findings


def report(findings: Findings, lock: Path) -> int:
    for name, vulns in sorted(findings.vulnerable.items()):
        print(f"pip-audit: {name}: {'; '.join(vulns)}")
    if findings.vulnerable:
        print(f"pip-audit: FAILED: {len(findings.vulnerable)} locked package(s) have known "
              f"vulnerabilities; raise the floor in setup.cfg and run `make lock`.")
        return FAILED
    if findings.audited:
        print(f"pip-audit: no known vulnerabilities in {len(findings.audited)} packages of {lock}.")
    unchecked = sorted(findings.not_audited)
    if unchecked or not findings.audited:
        reasons = "; ".join(findings.service_notes) or "no service had data for them"
        print(f"pip-audit: NOT AUDITED: the vulnerability services (PyPI's JSON API, OSV) could "
              f"not be reached for {len(unchecked) or 'any'} package(s) of {lock} ({reasons}). "
              f"This run does not fail for it; run `make audit` where they can be reached.")
    return PASSED


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:160] if lines else "no output"


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    lock = Path(args[0] if args else "requirements/constraints.txt")
    return report(audit(lock), lock)


if __name__ == "__main__":
    sys.exit(main())
