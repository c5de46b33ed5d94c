#!/usr/bin/env bash
# The README's test command (make test): lint, unit tests, data validation, training,
# conversation tests, held-back NLU evaluation, then end-to-end tests on the trained model.
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_THREAD_LIMIT=1 SQLALCHEMY_SILENCE_UBER_WARNING=1
BIN=.venv/bin
step() { printf '\n=== %s\n' "$*"; }

step "lint (ruff)"
$BIN/ruff check .
$BIN/ruff format --check .

step "unit and integration tests"
$BIN/pytest -q -m "not e2e"

step "rasa data validate"
$BIN/python scripts/validate_data.py

step "train (skipped by Rasa when nothing changed)"
$BIN/helpdesk exec -- $BIN/rasa train --out models

step "conversation tests"
bash scripts/test_conversations.sh

step "held-back NLU evaluation"
$BIN/python scripts/nlu_eval.py --min 0.90

step "end-to-end tests on the trained model"
$BIN/pytest -q -m e2e

echo; echo "make test: all green"
