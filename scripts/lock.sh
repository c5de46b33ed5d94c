#!/usr/bin/env bash
# Re-resolve requirements/direct.txt under the Rasa pins and rewrite requirements/lock.txt.
# Run it after editing requirements/direct.txt, then `make setup` and commit both files.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv
constraints=$(mktemp)
trap 'rm -f "$constraints"' EXIT
"$VENV/bin/pip" freeze --exclude-editable | grep -viE "^(rasa|rasa-sdk)==" > "$constraints"
"$VENV/bin/pip" install --quiet -c "$constraints" -r requirements/direct.txt
{
    echo "# Exact pins of everything .venv holds besides rasa, rasa-sdk and this project."
    echo "# Installed with --no-deps by scripts/setup.sh; regenerate with scripts/lock.sh."
    # --all keeps setuptools and wheel (Rasa pins setuptools); pip itself is the venv's.
    "$VENV/bin/pip" freeze --all --exclude-editable | grep -viE "^(pip|rasa|rasa-sdk|visual-helpdesk)=="
} > requirements/lock.txt
echo "lock: $(grep -vc '^#' requirements/lock.txt) packages pinned in requirements/lock.txt"
