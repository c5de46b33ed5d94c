#!/usr/bin/env bash
# Run every benchmark in bench/ (each is a standalone script printing its own figures and
# writing JSON to var/bench/). Benchmarks compare against a baseline measured in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_THREAD_LIMIT=1
mkdir -p var/bench
status=0
for script in bench/bench_*.py; do
    [[ -e "$script" ]] || continue
    echo "=== $script"
    .venv/bin/python "$script" || status=1
done
exit $status
