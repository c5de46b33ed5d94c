#!/usr/bin/env bash
# Idempotent setup: Debian packages, .venv, locked Python packages, the helpdesk package.
# Takes a second when nothing changed: the Python part is keyed on a hash of the lock files.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3.11}"
VENV=.venv
STAMP="$VENV/.helpdesk-setup"
# fonts-dejavu-core: the tests draw text with DejaVu so that OCR results do not depend on
# which fonts a machine happens to have.
DEBIAN_PACKAGES=(tesseract-ocr tesseract-ocr-eng tesseract-ocr-spa libzbar0 ffmpeg chromium
    fonts-dejavu-core)
# `setup.sh --production` (make test-production): the engines of the production topology,
# which scripts/services.sh starts for its tests and benchmarks. Not needed by `make test`.
if [[ "${1:-}" == "--production" ]]; then
    DEBIAN_PACKAGES+=(postgresql redis-server nginx-light openssl)
fi

missing=()
for package in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
        || missing+=("$package")
done
if ((${#missing[@]})); then
    echo "setup: installing Debian packages: ${missing[*]}"
    SUDO=""
    [[ $(id -u) -eq 0 ]] || SUDO="sudo"
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [[ ! -x "$VENV/bin/python" ]]; then
    echo "setup: creating $VENV with $PYTHON"
    "$PYTHON" -m venv "$VENV"
fi

wanted=$(cat requirements/lock.txt requirements/rasa.txt pyproject.toml | sha256sum | cut -d' ' -f1)
if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$wanted" ]]; then
    exit 0
fi

echo "setup: installing locked Python packages (first run takes a few minutes)"
PIP=("$VENV/bin/pip" install --quiet --disable-pip-version-check --no-deps)
# pip warns about every package missing from this machine's local mirrors; that is noise.
quiet() { "$@" 2> >(grep -v "^WARNING: Location" >&2); }
quiet "${PIP[@]}" -r requirements/lock.txt
quiet "${PIP[@]}" --ignore-requires-python -r requirements/rasa.txt
quiet "${PIP[@]}" -e .
# Rasa's metadata asks for matplotlib <3.6, which has no Python 3.11 wheel; 3.7 works.
broken=$("$VENV/bin/pip" check 2>&1 | grep -v "matplotlib" | grep -v "^No broken" || true)
if [[ -n "$broken" ]]; then
    echo "$broken" >&2
    echo "setup: pip check found broken requirements (above)" >&2
    exit 1
fi
echo "$wanted" > "$STAMP"
echo "setup: done"
