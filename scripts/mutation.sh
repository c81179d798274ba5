#!/usr/bin/env bash
# Mutation testing of domain/ over tests/unit alone (mutmut, configured in setup.cfg's
# [mutmut]), then each module's score: killed / all mutants. Not part of make test.
# `scripts/mutation.sh "domain.accounts.policy*"` runs one module's mutants only.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
rm -rf mutants
mutmut run "$@" >/dev/null 2>&1 || mutmut run "$@"
mutmut results --all true | python -c '
import collections, sys
counts = collections.defaultdict(collections.Counter)
for line in sys.stdin:
    name, _, status = line.strip().rpartition(": ")
    if not name or status == "not checked":
        continue
    counts[name.split(".x")[0]][status] += 1
print(f"{"module":<36}{"killed":>8}{"mutants":>9}{"score":>8}  not killed")
for module, c in sorted(counts.items()):
    total = sum(c.values())
    rest = ", ".join(f"{n} {s}" for s, n in c.items() if s != "killed")
    print(f"{module:<36}{c["killed"]:>8}{total:>9}{c["killed"] / total:>8.0%}  {rest}")
'
