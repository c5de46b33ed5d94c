"""The bot's knowledge base follows designers' edits without a restart, and a broken edit
does not take a running bot down."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from helpdesk.errors import KnowledgeBaseError
from helpdesk.kb import default_kb
from helpdesk.settings import PROJECT_ROOT, get_settings
from tests.helpdesk.kb.kbfiles import GOOD_ENTRY, make_kb


def touch_later(path: Path, text: str) -> None:
    before = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before + 10**9, before + 10**9))


def test_default_is_the_projects_knowledge_folder() -> None:
    kb = default_kb()
    assert kb.root == (PROJECT_ROOT / "knowledge").resolve()
    assert default_kb() is kb  # loaded once while nothing changes


def test_edits_are_picked_up_and_a_broken_edit_keeps_the_last_good_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = make_kb(tmp_path, GOOD_ENTRY.format(id="first"))
    monkeypatch.setenv("HELPDESK_KNOWLEDGE_DIR", str(folder))
    get_settings.cache_clear()
    assert list(default_kb().entries) == ["first"]

    topic = folder / "topic.yml"
    touch_later(topic, "entries:\n" + GOOD_ENTRY.format(id="second"))
    assert list(default_kb().entries) == ["second"]

    touch_later(topic, "entries:\n" + GOOD_ENTRY.format(id="third").replace("severity", "sev"))
    assert list(default_kb().entries) == ["second"]


def test_a_broken_knowledge_base_with_no_good_version_raises(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = make_kb(tmp_path, GOOD_ENTRY.format(id="x").replace("queue:", "queu:"))
    monkeypatch.setenv("HELPDESK_KNOWLEDGE_DIR", str(folder))
    get_settings.cache_clear()
    with pytest.raises(KnowledgeBaseError, match="queu"):
        default_kb()
