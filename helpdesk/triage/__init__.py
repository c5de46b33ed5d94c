"""Triage: from what the customer said and what the media showed to a category, a queue, a
priority, the knowledge entries that match (with reasons) and the fix loop's next step.

Public API (the KB is read on first use, not at import)::

    from helpdesk.triage import triage, next_fix, escalation, fix_message

    result = triage(text="my laptop shows an error", category_hint="report_software_error",
                    fields=analysis["fields"], ocr_text=analysis["ocr"]["text"],
                    language="es", purpose="screenshot")
    result.explain("es")          # "Veo el error 0x80070005 en tu captura"
    entry = next_fix(result, tried=[])            # None → hand off
    fix_message(entry, "es"); entry.follow_up.say("es")
    escalation(result, tried=[entry.id])          # after "no": hand off now, and why

``TriageResult.to_dict()`` / ``TriageResult.from_dict()`` keep a result in a slot. The fix
loop (``fixloop``) also turns a result into the dialogue's next move
(``first_decision`` / ``next_decision``).
"""

from helpdesk.triage.engine import triage
from helpdesk.triage.fixloop import candidates, escalation, fix_image, fix_message, next_fix
from helpdesk.triage.result import TriageResult

__all__ = [
    "TriageResult",
    "candidates",
    "escalation",
    "fix_image",
    "fix_message",
    "next_fix",
    "triage",
]
