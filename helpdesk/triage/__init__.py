"""Triage: from what the customer said and what the media showed to a category, a queue, a
priority, the knowledge entries that match (with reasons) and the fix loop's next step.

Public API (nothing is loaded at import; the KB is read on first use)::

    from helpdesk.triage import triage, next_fix, escalation, fix_message

    result = triage(text="my laptop shows an error", category_hint="report_software_error",
                    fields=analysis["fields"], ocr_text=analysis["ocr"]["text"],
                    language="es", purpose="screenshot")
    result.explain("es")          # "Veo el error 0x80070005 en tu captura"
    entry = next_fix(result, tried=[])            # None → hand off
    fix_message(entry, "es"); entry.follow_up.say("es")
    escalation(result, tried=[entry.id])          # after "no": hand off now, and why

``TriageResult.to_dict()`` / ``TriageResult.from_dict()`` keep a result in a slot.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "TriageResult",
    "candidates",
    "escalation",
    "fix_image",
    "fix_message",
    "next_fix",
    "triage",
]

_EXPORTS = {
    "triage": "helpdesk.triage.engine",
    "TriageResult": "helpdesk.triage.result",
    "candidates": "helpdesk.triage.loop",
    "escalation": "helpdesk.triage.loop",
    "next_fix": "helpdesk.triage.loop",
    "fix_message": "helpdesk.triage.loop",
    "fix_image": "helpdesk.triage.loop",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(name)
    import importlib

    return getattr(importlib.import_module(module), name)
