"""The fix loop's decisions, for the dialogue to call between turns.

The bot sends ``next_fix(result, tried=[])``; if the customer says it did not help, it
calls ``next_fix(result, tried=[that id])`` and so on; ``None`` means hand off, and
``escalation(result, tried=...)`` says why (for the ticket). Candidates are the trusted
matches, best first, each followed by the entries its ``then_try`` names.

The loop hands off after ``escalate.after_failed_fixes`` failed fixes (the smallest among
the fixes tried), else after ``DEFAULT_MAX_FAILED_FIXES``. An entry with
``escalate.always`` is never offered as a fix to try: its steps are safety advice to send
(``fix_message``) while a person takes over.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from helpdesk.kb.loader import KnowledgeBase
from helpdesk.kb.schema import Entry
from helpdesk.triage.engine import MATCH_THRESHOLD
from helpdesk.triage.result import Escalation, TriageResult

DEFAULT_MAX_FAILED_FIXES = 2
WHATSAPP_TEXT_LIMIT = 4096


def candidates(result: TriageResult, *, kb: KnowledgeBase | None = None) -> list[Entry]:
    """Fixes worth trying, in order (no escalate-always entries)."""
    kb = kb or _default()
    ordered: list[Entry] = []
    for match in result.matches:
        if match.score < MATCH_THRESHOLD:
            continue
        for entry in (
            match.entry,
            *(kb.entries[i] for i in match.entry.then_try if i in kb.entries),
        ):
            if entry not in ordered and not entry.escalate.always:
                ordered.append(entry)
    return ordered


def escalation(
    result: TriageResult, *, tried: Sequence[str] = (), kb: KnowledgeBase | None = None
) -> Escalation:
    """Whether a person must take over now, given the fixes already tried without success."""
    if result.escalate:
        return result.escalate
    kb = kb or _default()
    tried_entries = [kb.entries[i] for i in tried if i in kb.entries]
    limits = [e.escalate.after_failed_fixes for e in tried_entries if e.escalate.after_failed_fixes]
    limit = min(limits, default=DEFAULT_MAX_FAILED_FIXES)
    if tried and len(tried) >= limit:
        last = tried_entries[-1] if tried_entries else None
        reason = (last.escalate.reason if last and last.escalate.reason else None) or (
            f"{len(tried)} fix(es) did not help: {', '.join(tried)}"
        )
        return Escalation(True, reason, "failed_fixes")
    if not any(entry.id not in tried for entry in candidates(result, kb=kb)):
        return Escalation(
            True, f"No other known fix after: {', '.join(tried) or 'none'}", "fixes_exhausted"
        )
    return Escalation(False)


def next_fix(
    result: TriageResult, *, tried: Sequence[str] = (), kb: KnowledgeBase | None = None
) -> Entry | None:
    """The next entry whose fix to send, or None when it is time to hand off."""
    kb = kb or _default()
    if escalation(result, tried=tried, kb=kb):
        return None
    return next((e for e in candidates(result, kb=kb) if e.id not in tried), None)


def fix_message(entry: Entry, language: str) -> str:
    """The fix as one WhatsApp text: the title, then numbered steps (within 4096 chars)."""
    lines = [f"*{entry.title.say(language)}*", ""]
    lines += [f"{n}. {step}" for n, step in enumerate(entry.fix.steps(language), start=1)]
    text = "\n".join(lines)
    return text if len(text) <= WHATSAPP_TEXT_LIMIT else text[: WHATSAPP_TEXT_LIMIT - 1] + "…"


def fix_image(entry: Entry, *, kb: KnowledgeBase | None = None) -> Path | None:
    """The picture to send with the fix, if the entry has one."""
    return (kb or _default()).image_path(entry)


def _default() -> KnowledgeBase:
    from helpdesk.kb import default_kb

    return default_kb()
