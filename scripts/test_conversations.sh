#!/usr/bin/env bash
# Conversation tests (tests/conversations/) against the trained model; any wrong prediction fails.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/helpdesk exec -- .venv/bin/rasa test core --model models \
    --stories tests/conversations --out results/conversations \
    --fail-on-prediction-errors --no-plot
echo "conversations: all conversation tests passed"
