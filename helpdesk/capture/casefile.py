"""Everything the bot learned about a case, gathered for triage and for the agent.

Works on the conversation as plain data (the tracker's event dicts and slot values), so it
knows nothing of Rasa: the actions pass ``tracker.events`` and ``tracker.slots`` in.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from helpdesk.capture.flows import FLOWS, MEDIA, SKIPPED, Flow, flow_for_use_case
from helpdesk.db import session_scope
from helpdesk.errors import HelpdeskError
from helpdesk.media.records import get_media

logger = logging.getLogger(__name__)

# Triage says P1..P4; tickets use words.
TICKET_PRIORITY = {"P1": "urgent", "P2": "high", "P3": "normal", "P4": "low"}
MAX_TRANSCRIPT = 200


@dataclass
class CaseFile:
    use_case: str | None
    flow: Flow | None
    customer_text: str
    transcript: list[dict[str, Any]] = field(default_factory=list)
    media_ids: list[int] = field(default_factory=list)
    fields: list[dict[str, Any]] = field(default_factory=list)

    @property
    def purpose(self) -> str | None:
        if self.flow is None:
            return None
        return next((s.purpose for s in self.flow.steps if s.type == MEDIA), None)


def latest_use_case(events: list[dict[str, Any]]) -> str | None:
    """The use case the customer is in: the latest capture form started, or the latest
    use-case intent said outside a form (one said inside a form that kept the customer,
    "I don't have a photo, they're in the box" in a return, does not change it)."""
    forms = {flow.form: flow.use_case for flow in FLOWS}
    use_cases = {flow.use_case for flow in FLOWS}
    current: str | None = None
    in_form = False
    for event in events:
        if event.get("event") == "active_loop":
            name = event.get("name")
            in_form = name in forms
            if in_form:
                current = forms[name]
        elif event.get("event") == "user" and not in_form:
            intent = (event.get("parse_data") or {}).get("intent", {}).get("name")
            if intent in use_cases:
                current = intent
    return current


def gather(events: list[dict[str, Any]], slots: dict[str, Any]) -> CaseFile:
    use_case = latest_use_case(events)
    flow = flow_for_use_case(use_case) if use_case else None
    transcript: list[dict[str, Any]] = []
    words: list[str] = []
    voice_notes: list[int] = []
    for event in events:
        kind = event.get("event")
        if kind == "user":
            metadata = event.get("metadata") or {}
            text = event.get("text") or ""
            media = metadata.get("media") or []
            caption = metadata.get("caption")
            if text.startswith("/"):
                title = metadata.get("button_title")
                text = caption or title or ("" if media else text)
            if text:
                words.append(text)
            line = {"who": "customer", "when": event.get("timestamp"), "text": text or None}
            if media:
                line["media_id"] = media[0].get("id")
                # Voice notes fill no step; the agent still gets them with the case.
                voice_notes.extend(
                    int(item["id"])
                    for item in media
                    if item.get("kind") == "audio" and item.get("id")
                )
            transcript.append(line)
        elif kind == "bot" and event.get("text"):
            transcript.append({"who": "bot", "when": event.get("timestamp"), "text": event["text"]})
    media_ids = []
    if flow is not None:
        for step in flow.steps:
            value = slots.get(step.slot)
            if step.type == MEDIA and value not in (None, SKIPPED):
                try:
                    media_ids.append(int(value))
                except (TypeError, ValueError):
                    continue
    media_ids.extend(note for note in voice_notes if note not in media_ids)
    return CaseFile(
        use_case=use_case,
        flow=flow,
        customer_text="\n".join(words[-20:]),
        transcript=transcript[-MAX_TRANSCRIPT:],
        media_ids=media_ids,
        fields=list(slots.get("captured_fields") or []),
    )


def ocr_text(media_ids: list[int], *, url: str | None = None) -> str | None:
    """The OCR text of the case's media, from their stored analyses."""
    texts = []
    try:
        with session_scope(url) as session:
            for media_id in media_ids:
                record = get_media(session, media_id=media_id)
                ocr = ((record.analysis or {}).get("ocr") or {}) if record else {}
                if ocr.get("text"):
                    texts.append(ocr["text"])
    except HelpdeskError as error:
        logger.warning("Could not read the media analyses: %s", error)
    return "\n".join(texts) or None


def ticket_priority(triage_priority: str | None) -> str:
    return TICKET_PRIORITY.get(triage_priority or "", "normal")
