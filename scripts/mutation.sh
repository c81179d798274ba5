#!/usr/bin/env bash
# Mutation testing of domain/ over tests/unit alone (mutmut, configured in setup.cfg's
# [mutmut]), then each module's score: killed / all mutants. Not part of make test.
# `scripts/mutation.sh "domain.accounts.policy*"` runs one module's mutants only.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
rm -rf mutants
mkdir -p var
echo "mutmut run $* (log: var/mutation.log)"
mutmut run "$@" >var/mutation.log 2>&1 || { tail -40 var/mutation.log; exit 1; }
mutmut results --all true | python scripts/mutation_scores.py
