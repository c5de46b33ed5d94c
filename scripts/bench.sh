#!/usr/bin/env bash
# Run every benchmark in bench/ (each is a standalone script printing its own figures and
# writing JSON to var/bench/). Benchmarks compare against a baseline measured in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_THREAD_LIMIT=1
mkdir -p var/bench
# Wall-clock figures depend on who else runs: say so before any figure. With autogroup
# scheduling on, every login session gets an equal CPU share whatever its nice value, so on a
# shared machine a benchmark runs on a fraction of the cores (measured: 1 replica held 8
# turns/s with it on and other sessions busy, 22/s with it off and their work under nice).
autogroup=$(cat /proc/sys/kernel/sched_autogroup_enabled 2>/dev/null || echo "n/a")
echo "machine: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), autogroup scheduling: $autogroup"
if [[ "$autogroup" == 1 && $(cut -d' ' -f1 /proc/loadavg | cut -d. -f1) -ge 1 ]]; then
    echo "warning: other work is running and autogroup scheduling is on: nice does not protect these"
    echo "figures; compare same-run ratios, or run with kernel.sched_autogroup_enabled=0"
fi
status=0
for script in bench/bench_*.py; do
    [[ -e "$script" ]] || continue
    echo "=== $script"
    .venv/bin/python "$script" || status=1
done
exit $status
