#!/usr/bin/env bash
# The README's test command (make test): lint, data validation, training, the pytest suite
# (unit, integration and end-to-end on the trained model), conversation tests, and the
# held-back NLU evaluation.
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_THREAD_LIMIT=1 SQLALCHEMY_SILENCE_UBER_WARNING=1
BIN=.venv/bin
step() { printf '\n=== %s\n' "$*"; }

step "lint (ruff, import layers, import cycles)"
$BIN/ruff check .
$BIN/ruff format --check .
$BIN/lint-imports --no-cache
$BIN/python scripts/import_cycles.py

step "rasa data validate"
$BIN/python scripts/validate_data.py

step "knowledge base"
$BIN/helpdesk kb check

step "train (Rasa reuses the last model when data, config and domain are unchanged)"
$BIN/helpdesk exec -- $BIN/rasa train --out models

step "pytest: unit, integration and end-to-end tests"
$BIN/pytest -q

step "conversation tests"
bash scripts/test_conversations.sh

step "held-back NLU evaluation"
$BIN/python scripts/nlu_eval.py --min 0.90

echo; echo "make test: all green"
