#!/usr/bin/env bash
# `make test-production`: the fault tests on the production topology (tests/production/),
# on real PostgreSQL, Redis, S3 (moto) and nginx started by scripts/services.sh and
# helpdesk.deploy.topology. Takes a few minutes; kept out of `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_THREAD_LIMIT=1 SQLALCHEMY_SILENCE_UBER_WARNING=1
exec .venv/bin/pytest -q -o addopts="-ra --strict-markers --import-mode=importlib" \
    tests/production "$@"
