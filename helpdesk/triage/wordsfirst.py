"""The fix from the customer's first words, before any media is asked for.

"my app keeps crashing with error 0x80070005 when I update" names its error: the knowledge
base knows the fix, and a screenshot would not change it. For the troubleshooting use
cases, a match that rests on more than symptom words (an error code, a model number: a
score above what words alone can reach, ``WORD_MAX``) is offered at once; the media is
asked for only when that fix does not help. Damage, returns and payments keep their media
first: there the picture is the evidence, not the diagnosis.
"""

from __future__ import annotations

from helpdesk.triage.engine import WORD_MAX
from helpdesk.triage.fixloop import OFFER_FIX, Decision, first_decision

# Use cases whose media diagnoses (and so can wait); the others need it as evidence.
DIAGNOSTIC_USE_CASES = frozenset({"report_software_error", "report_appliance_fault"})


def fix_from_words(*, use_case: str | None, text: str, language: str) -> Decision | None:
    """The fix to offer before asking for media, or None to ask for the media first."""
    if use_case not in DIAGNOSTIC_USE_CASES or not text.strip() or text.startswith("/"):
        return None
    decision = first_decision(
        use_case=use_case, text=text, fields=[], ocr_text=None, language=language
    )
    if decision.action != OFFER_FIX:
        return None
    matches = decision.triage.get("matches") or []
    best = next((m for m in matches if m.get("id") == decision.entry_id), None)
    if best is None or float(best.get("score") or 0) <= WORD_MAX:
        return None
    return decision
