"""The fix loop: after capture, solve what the knowledge base knows, hand off the rest.

``first_decision`` triages the captured case and decides the bot's next move: offer the
best fix (and ask "did that solve it?"), or hand off at once (safety and fraud entries, no
known fix, a knowledge base that cannot be loaded). ``next_decision`` is called when the
customer says a fix did not help. Decisions are plain data; the Rasa actions utter them.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from helpdesk.errors import HelpdeskError

logger = logging.getLogger(__name__)

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
    from helpdesk.media.authenticity.case import FRAUD_QUEUE, review_stored
    from helpdesk.triage import triage

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
    from helpdesk.triage import TriageResult

    try:
        result = TriageResult.from_dict(triage)
    except (HelpdeskError, KeyError, TypeError) as error:
        logger.error("Could not continue the fix loop, handing off: %s", error)
        return Decision(HAND_OFF, triage=triage, tried=tried, reason=f"Fix loop failed: {error}")
    return _decide(result, tried=tried, language=language)


def _decide(result: Any, *, tried: list[str], language: str) -> Decision:
    from helpdesk.triage import escalation, fix_image, fix_message, next_fix

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
