"""The fix loop: after capture, solve what the knowledge base knows, hand off the rest.

Two levels, for two callers:

- **Decisions**, for the dialogue (the Rasa actions utter them): ``first_decision`` triages
  the captured case and decides the bot's next move: offer the best fix (and ask "did that
  solve it?"), or hand off at once (safety and fraud entries, no known fix, a knowledge base
  that cannot be loaded). ``next_decision`` is called when the customer says a fix did not
  help. Decisions are plain data.
- **Steps**, on a ``TriageResult``: the bot sends ``next_fix(result, tried=[])``; if the
  customer says it did not help, ``next_fix(result, tried=[that id])`` and so on; ``None``
  means hand off, and ``escalation(result, tried=...)`` says why (for the ticket).
  Candidates are the trusted matches, best first, each followed by the entries its
  ``then_try`` names.

The loop hands off after ``escalate.after_failed_fixes`` failed fixes (the smallest among
the fixes tried), else after ``DEFAULT_MAX_FAILED_FIXES``. An entry with
``escalate.always`` is never offered as a fix to try: its steps are safety advice to send
(``fix_message``) while a person takes over.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpdesk.errors import HelpdeskError
from helpdesk.kb import default_kb
from helpdesk.kb.loader import KnowledgeBase
from helpdesk.kb.schema import Entry
from helpdesk.media.authenticity.case import FRAUD_QUEUE, review_stored
from helpdesk.triage.engine import MATCH_THRESHOLD, triage
from helpdesk.triage.result import Escalation, TriageResult

logger = logging.getLogger(__name__)

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
    return default_kb()


# --- decisions for the dialogue ------------------------------------------------------

OFFER_FIX = "offer_fix"
HAND_OFF = "hand_off"


@dataclass
class Decision:
    action: str
    triage: dict[str, Any] = field(default_factory=dict)
    tried: list[str] = field(default_factory=list)
    entry_id: str | None = None
    explanation: str | None = None  # "I can see error 0x80070005 on your screenshot."
    fix_text: str | None = None
    fix_image: str | None = None
    follow_up: str | None = None
    advice: str | None = None  # safety/fraud: what to do while a person takes over
    reason: str = ""  # for the agent: why the case was handed off
    queue: str | None = None
    priority: str | None = None


def first_decision(
    *,
    use_case: str | None,
    text: str,
    fields: list[dict[str, Any]],
    ocr_text: str | None,
    language: str,
    purpose: str | None = None,
    sender_id: str | None = None,
    media_ids: Sequence[int] = (),
) -> Decision:
    try:
        result = triage(
            text=text,
            category_hint=use_case,
            fields=fields,
            ocr_text=ocr_text,
            language=language,
            purpose=purpose,
        )
    except HelpdeskError as error:
        logger.error("Triage failed, handing off: %s", error)
        return Decision(HAND_OFF, reason=f"Triage unavailable: {error}")
    if sender_id and media_ids:
        review = review_stored(
            sender_id=sender_id, media_ids=media_ids, said=text, confirmed=fields
        )
        if review.strong:
            # A person decides; the customer hears the usual handoff, nothing about why.
            codes = ", ".join(sorted({s["code"] for s in review.signals}))
            return Decision(
                HAND_OFF,
                triage={**result.to_dict(), "queue": FRAUD_QUEUE},
                reason=f"Authenticity signals for the fraud queue: {codes}",
                queue=FRAUD_QUEUE,
                priority=result.priority,
            )
    return _decide(result, tried=[], language=language)


def next_decision(*, triage: dict[str, Any], tried: list[str], language: str) -> Decision:
    try:
        result = TriageResult.from_dict(triage)
    except (HelpdeskError, KeyError, TypeError) as error:
        logger.error("Could not continue the fix loop, handing off: %s", error)
        return Decision(HAND_OFF, triage=triage, tried=tried, reason=f"Fix loop failed: {error}")
    return _decide(result, tried=tried, language=language)


def _decide(result: TriageResult, *, tried: list[str], language: str) -> Decision:
    base = {
        "triage": result.to_dict(),
        "tried": list(tried),
        "queue": result.queue,
        "priority": result.priority,
        "explanation": result.explain(language) if not tried else None,
    }
    if result.escalate and result.escalate.code == "entry" and result.best is not None:
        entry = result.best.entry
        return Decision(
            HAND_OFF,
            advice=fix_message(entry, language),
            reason=result.escalate.reason or entry.id,
            entry_id=entry.id,
            **base,
        )
    entry = next_fix(result, tried=tried)
    if entry is None:
        why = escalation(result, tried=tried)
        return Decision(HAND_OFF, reason=why.reason or "No known fix", **base)
    image = fix_image(entry)
    base["tried"] = [*tried, entry.id]
    return Decision(
        OFFER_FIX,
        entry_id=entry.id,
        fix_text=fix_message(entry, language),
        fix_image=str(image) if image else None,
        follow_up=entry.follow_up.say(language),
        **base,
    )
