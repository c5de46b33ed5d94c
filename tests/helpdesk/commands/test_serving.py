"""What ``helpdesk.commands.serving`` sets up before an app serves."""

from __future__ import annotations

import importlib.abc
import sys

import pytest

from helpdesk.commands.serving import _remember_missing

MISSING = "no_such_module_helpdesk_test"


class _Counting(importlib.abc.MetaPathFinder):
    """Counts the searches for ``MISSING`` (each one walks sys.path in real life)."""

    searches = 0

    def find_spec(self, name, path=None, target=None):  # type: ignore[no-untyped-def]
        if name == MISSING:
            type(self).searches += 1
        return None


def _try_import() -> None:
    with pytest.raises(ImportError):
        __import__(MISSING)


def test_a_missing_optional_module_is_searched_for_once_and_an_installed_one_still_imports(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """httpcore tries ``import sniffio`` several times per request: where it is not
    installed, the failure is remembered instead of searched for again each time."""
    finder = _Counting()
    monkeypatch.setattr(sys, "meta_path", [finder, *sys.meta_path])
    try:
        _try_import()
        _try_import()
        assert _Counting.searches == 2  # Python searches again at every try
        _remember_missing([MISSING, "json"])
        _try_import()
        _try_import()
        assert _Counting.searches == 3  # the one search of _remember_missing, then none
    finally:
        sys.modules.pop(MISSING, None)
    import json

    assert json.dumps([1]) == "[1]"
