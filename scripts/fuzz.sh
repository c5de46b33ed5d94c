#!/usr/bin/env bash
# make fuzz: coverage-guided fuzzing (atheris) of every target, 100,000 inputs each by
# default (FUZZ_RUNS=N to change). A finding stops its target and is written to
# fuzz/findings/<target>/; fix it, commit the input, tests/fuzz replays it.
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_THREAD_LIMIT=1 SQLALCHEMY_SILENCE_UBER_WARNING=1 PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
RUNS=${FUZZ_RUNS:-100000}
for target in ${FUZZ_TARGETS:-webhook media kb console}; do
    printf '\n=== fuzz %s (%s inputs)\n' "$target" "$RUNS"
    .venv/bin/python -m fuzz.run "$target" --runs "$RUNS"
done
echo; echo "make fuzz: no finding"
