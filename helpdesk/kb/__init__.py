"""The knowledge base: known issues and their fixes, in YAML that designers edit.

- ``helpdesk.kb.load(path=None)``: validate and load (``knowledge/`` or
  ``HELPDESK_KNOWLEDGE_DIR``); raises ``KnowledgeBaseError`` whose ``problems`` each name
  the file, the line and the entry.
- ``helpdesk.kb.check(path)``: the same without raising: ``(kb, problems)``.
- ``helpdesk.kb.default_kb()``: the configured knowledge base, loaded once on first use
  (nothing is read at import time); ``default_kb.cache_clear()`` reloads it.

How to write an entry: ``knowledge/README.md``. The schema: ``helpdesk.kb.schema``.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from helpdesk.kb.loader import KbProblem, KnowledgeBase

__all__ = ["check", "default_kb", "load"]


def load(path: str | Path | None = None) -> KnowledgeBase:
    from helpdesk.kb.loader import load as _load

    return _load(path)


def check(path: str | Path) -> tuple[KnowledgeBase, list[KbProblem]]:
    from helpdesk.kb.loader import check as _check

    return _check(path)


@functools.lru_cache(maxsize=1)
def default_kb() -> KnowledgeBase:
    return load(None)
