"""Make the project root importable (``tests.support``) for these tests.

pytest runs with ``--import-mode=importlib``, which does not put the root on ``sys.path``.
"""

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[3])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
