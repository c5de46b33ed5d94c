"""The knowledge base: known issues and their fixes, in YAML that designers edit.

- ``helpdesk.kb.load(path=None)``: validate and load (``knowledge/`` or
  ``HELPDESK_KNOWLEDGE_DIR``); raises ``KnowledgeBaseError`` whose ``problems`` each name
  the file, the line and the entry.
- ``helpdesk.kb.check(path)``: the same without raising: ``(kb, problems)``.
- ``helpdesk.kb.default_kb()``: the configured knowledge base, loaded on first use (nothing
  is read at import time) and reloaded when a file changes, so designers' edits apply
  without a restart.

How to write an entry: ``knowledge/README.md``. The schema: ``helpdesk.kb.schema``.
"""

from __future__ import annotations

import logging
from pathlib import Path

from helpdesk.errors import KnowledgeBaseError
from helpdesk.kb.loader import KnowledgeBase, check, load
from helpdesk.settings import PROJECT_ROOT, get_settings

__all__ = ["check", "default_kb", "load"]

log = logging.getLogger(__name__)


def default_kb() -> KnowledgeBase:
    """The configured knowledge base, reloaded when a file in it changes.

    If an edit breaks it while the bot runs, the last good version keeps serving (and the
    problems are logged); with no good version yet, ``KnowledgeBaseError`` is raised.
    """
    path = Path(get_settings().knowledge_dir)
    if not path.is_absolute():
        path = PROJECT_ROOT / path
    signature = _signature(path)
    cached = _CACHE.get(path)
    if cached is not None and cached[0] == signature:
        return cached[1]
    try:
        kb = load(path)
    except KnowledgeBaseError as error:
        if cached is None:
            raise
        log.error("knowledge base edit not loaded, still using the last good one: %s", error)
        _CACHE[path] = (signature, cached[1])
        return cached[1]
    _CACHE[path] = (signature, kb)
    return kb


def _signature(path: Path) -> tuple:
    """Names, sizes and modification times of the YAML files: a change means reload."""
    files = sorted(path.rglob("*.y*ml")) if path.is_dir() else [path]
    stats = []
    for file in files:
        try:
            stat = file.stat()
        except OSError:
            continue
        stats.append((str(file), stat.st_size, stat.st_mtime_ns))
    return tuple(stats)


_CACHE: dict[Path, tuple[tuple, KnowledgeBase]] = {}
