"""Make the project root importable (``tests.support``) for these tests.

pytest runs with ``--import-mode=importlib``, which does not put the root on ``sys.path``.
"""

import sys
from pathlib import Path

import pytest

ROOT = str(Path(__file__).resolve().parents[3])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)


@pytest.fixture(scope="session")
def _migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated database per test session (migrating takes about a second)."""
    from helpdesk import db

    path = tmp_path_factory.mktemp("template") / "helpdesk.db"
    url = f"sqlite:///{path}"
    db.upgrade(url)
    db.get_engine(url).dispose()  # closes the connections: SQLite folds the WAL back in
    return path


@pytest.fixture
def database_url(tmp_path: Path, _migrated_template: Path) -> str:
    """Like the root fixture (a migrated SQLite database the settings point at), copied
    from the session's template instead of migrated again for every test."""
    import shutil

    shutil.copyfile(_migrated_template, tmp_path / "helpdesk.db")
    return f"sqlite:///{tmp_path}/helpdesk.db"
