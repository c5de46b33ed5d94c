"""``triage(...)``: category, queue, severity, priority, the matching entries and whether a
person must take over.

The category comes from the flow (``category_hint``) when there is one. Without it, each
use case gets a score from three kinds of signal and the highest wins:

- the customer's words against the category's ``words`` in ``knowledge/categories.yml``
  (0.25 per distinct word or phrase, up to 0.75);
- the kinds of field found (0.2 for each of the category's ``field_types`` present, up to
  0.4: a transaction id points to a payment, an order number to a return);
- the best matching entry of that category (its score).

With a hint, entries of other categories still match (a burning smell is a burning smell in
any flow) but at 0.6 of their score, except entries that always escalate.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Sequence
from typing import Any

from helpdesk.kb import default_kb
from helpdesk.kb.loader import KnowledgeBase
from helpdesk.triage.evidence import gather
from helpdesk.triage.result import Escalation, Match, TriageResult
from helpdesk.triage.rules import compiled, find_words, phrase_pattern, score

log = logging.getLogger(__name__)

# A match below this is not shown; one below MATCH_THRESHOLD is shown but not trusted to
# pick the queue or send a fix.
MIN_SCORE = 0.3
MATCH_THRESHOLD = 0.45
MAX_MATCHES = 5
OTHER_CATEGORY = 0.6
WORD_WEIGHT, WORD_MAX = 0.25, 0.75
FIELD_WEIGHT, FIELD_MAX = 0.2, 0.4
NO_CATEGORY_QUEUE = "general"
PRIORITIES = {"critical": "P1", "high": "P2", "medium": "P3", "low": "P4"}
URGENT_WORDS = (
    "urgent*", "asap", "emergency", "right now", "immediately", "urgente*", "cuanto antes",
    "ya mismo", "emergencia", "inmediatamente", "lo antes posible",
)  # fmt: skip


def triage(
    *,
    text: str,
    category_hint: str | None = None,
    fields: Sequence[dict[str, Any]] = (),
    ocr_text: str | None = None,
    language: str = "en",
    kb: KnowledgeBase | None = None,
    purpose: str | None = None,
) -> TriageResult:
    """Triage one case. ``fields`` and ``ocr_text`` come from ``helpdesk.media.analyze``
    (``Analysis.to_dict()["fields"]`` and ``["ocr"]["text"]``); ``purpose`` (screenshot,
    label, receipt, photo, video) only shapes the customer-facing wording."""
    if kb is None:
        kb = default_kb()
    rules = compiled(kb)
    evidence = gather(
        text=text,
        fields=fields,
        ocr_text=ocr_text,
        purpose=purpose,
        known_codes=rules.known_codes,
    )
    raw_matches = [m for m in (score(item, evidence, language) for item in rules.entries) if m]

    category, source, category_confidence, scores = _category(
        kb, rules, evidence, raw_matches, category_hint
    )
    matches = []
    for match in raw_matches:
        if category and match.entry.category != category and not match.entry.escalate.always:
            match = Match(match.entry, match.score * OTHER_CATEGORY, match.reasons)
        if match.score >= MIN_SCORE:
            matches.append(match)
    # Entries that hand off at once (safety, fraud) come first when they truly match.
    matches.sort(
        key=lambda m: (m.entry.escalate.always and m.score >= MATCH_THRESHOLD, m.score),
        reverse=True,
    )
    matches = matches[:MAX_MATCHES]
    best = matches[0] if matches and matches[0].score >= MATCH_THRESHOLD else None

    info = kb.categories.get(category) if category else None
    if best is not None:
        queue, severity = best.entry.queue, best.entry.severity
        confidence = best.score * category_confidence
        if best.entry.escalate.always:
            escalate = Escalation(True, best.entry.escalate.reason, "entry")
        else:
            escalate = Escalation(False)
    else:
        queue = info.queue if info else NO_CATEGORY_QUEUE
        severity = info.severity if info else "medium"
        confidence = category_confidence * 0.5
        escalate = Escalation(
            True, f"No known issue matched; a person in '{queue}' should look at it.", "no_match"
        )
    return TriageResult(
        category=category,
        category_source=source,
        queue=queue,
        severity=severity,
        priority=_priority(severity, escalate, evidence.folded_text),
        confidence=round(min(1.0, confidence), 3),
        matches=matches,
        escalate=escalate,
        language=language,
        fields=[*fields, *evidence.text_fields],
        category_scores=scores,
    )


def _category(kb, rules, evidence, matches: list[Match], hint: str | None):
    if hint and hint not in kb.categories:
        # A dialogue bug must not cost the customer the triage: work it out from the words.
        log.warning("triage: ignoring unknown category hint %r", hint)
        hint = None
    if hint:
        return hint, "hint", 1.0, {hint: 1.0}
    scores: dict[str, float] = {}
    for name, info in kb.categories.items():
        words = sum(
            1
            for _, pattern in rules.category_words[name]
            if find_words(evidence.folded_text, pattern)
        )
        types = len(set(info.field_types) & evidence.field_types)
        best = max((m.score for m in matches if m.entry.category == name), default=0.0)
        scores[name] = (
            min(WORD_MAX, WORD_WEIGHT * words) + min(FIELD_MAX, FIELD_WEIGHT * types) + best
        )
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    top_name, top = ranked[0]
    if top <= 0:
        return None, "none", 0.0, scores
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    confidence = min(1.0, top) * top / (top + second)
    source = "match" if any(m.entry.category == top_name for m in matches) else "words"
    return top_name, source, confidence, scores


@functools.cache
def _urgent_patterns() -> tuple[re.Pattern[str], ...]:
    return tuple(phrase_pattern(word) for word in URGENT_WORDS)


def _priority(severity: str, escalate: Escalation, folded_text: str) -> str:
    """P1–P4 from the severity; one step more urgent for an entry that escalates at once or
    for a customer who says it is urgent."""
    level = int(PRIORITIES[severity][1:])
    if escalate.code == "entry":
        level -= 1
    if any(find_words(folded_text, pattern) for pattern in _urgent_patterns()):
        level -= 1
    return f"P{max(1, min(4, level))}"
