"""Run `rasa data validate` and fail on any warning not explained in the allow-list.

Usage: python scripts/validate_data.py  (from the project root; make validate)
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
ALLOWLIST = ROOT / "tests" / "validate_allowlist.yml"
WARNING = re.compile(r"UserWarning: (.+)")


def main() -> int:
    result = subprocess.run(
        [
            str(ROOT / ".venv/bin/helpdesk"),
            "exec",
            "--",
            str(ROOT / ".venv/bin/rasa"),
            "data",
            "validate",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    output = result.stdout + result.stderr
    allowed = [entry["warning"] for entry in yaml.safe_load(ALLOWLIST.read_text()) or []]
    warnings = [match.group(1).strip() for match in WARNING.finditer(output)]
    unexplained = [w for w in warnings if not any(re.search(a, w) for a in allowed)]
    unused = [a for a in allowed if not any(re.search(a, w) for w in warnings)]
    for warning in unexplained:
        print(f"validate: unexplained warning: {warning}", file=sys.stderr)
    for entry in unused:
        print(f"validate: allow-list entry no longer needed (remove it): {entry}", file=sys.stderr)
    if result.returncode != 0:
        print(output[-4000:], file=sys.stderr)
        print("validate: rasa data validate failed", file=sys.stderr)
        return 1
    if unexplained or unused:
        return 1
    print(f"validate: data is valid ({len(warnings)} expected warnings, all explained)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
