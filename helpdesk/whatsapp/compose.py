"""Fewer billable messages per turn: what one WhatsApp message can carry goes in one.

Every delivered message is billed (service messages too, since 1 October 2026), and the
bot often says two or three things in one turn — an acknowledgement, the next question, a
picture of what to photograph. ``merge`` joins the parts of one turn as Meta lets one
message carry them, keeping their order and Meta's limits:

- text + text → one text (≤ 4096 characters);
- text + question with buttons → the text opens the question's body (≤ 1024);
- picture + text, or text + picture → the text becomes the caption (≤ 1024);
- picture + question with up to three buttons → the picture is the question's image header.

Anything else (custom JSON, a list of more than three choices after a picture, a part too
long to join) stays a message of its own. ``send`` sends the merged parts with ``Sender``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from helpdesk.whatsapp import payloads
from helpdesk.whatsapp.outbound import Sender

CAPTIONED = ("image", "video", "document")


@dataclass(frozen=True)
class Part:
    """One thing the bot says: ``text``, ``choices`` (text + buttons), ``media`` or
    ``custom`` (a designer's JSON, sent as is)."""

    kind: str
    text: str = ""
    buttons: list[dict[str, Any]] = field(default_factory=list)
    media_kind: str | None = None
    source: str | None = None
    caption: str | None = None
    header: str | None = None  # a picture on top of a reply-button question
    data: dict[str, Any] | None = None


def _join(first: str, second: str) -> str:
    return f"{first.strip()}\n\n{second.strip()}".strip()


def _pair(a: Part, b: Part) -> Part | None:
    if a.kind == "text" and b.kind == "text":
        joined = _join(a.text, b.text)
        return replace(a, text=joined) if len(joined) <= payloads.MAX_TEXT else None
    if a.kind == "text" and b.kind == "choices":
        joined = _join(a.text, b.text)
        return replace(b, text=joined) if len(joined) <= payloads.MAX_INTERACTIVE_BODY else None
    if a.kind == "media" and a.media_kind in CAPTIONED and not a.caption and b.kind == "text":
        return replace(a, caption=b.text) if len(b.text) <= payloads.MAX_CAPTION else None
    if a.kind == "text" and b.kind == "media" and b.media_kind in CAPTIONED and not b.caption:
        return replace(b, caption=a.text) if len(a.text) <= payloads.MAX_CAPTION else None
    if (
        a.kind == "media"
        and a.media_kind == "image"
        and not a.caption
        and b.kind == "choices"
        and not b.header
        and 0 < len(b.buttons) <= payloads.MAX_BUTTONS
    ):
        return replace(b, header=a.source)
    return None


def merge(parts: list[Part]) -> list[Part]:
    merged: list[Part] = []
    for part in parts:
        joined = _pair(merged[-1], part) if merged else None
        if joined is None:
            merged.append(part)
        else:
            merged[-1] = joined
    return merged


async def send(sender: Sender, recipient_id: str, parts: list[Part]) -> list[str | None]:
    """Send one turn's parts, merged; the wamids (None where nothing went out)."""
    sent: list[str | None] = []
    for part in merge(parts):
        if part.kind == "text":
            sent += await sender.text(recipient_id, part.text)
        elif part.kind == "choices":
            sent += await sender.choices(
                recipient_id, part.text, part.buttons, header_image=part.header
            )
        elif part.kind == "media" and part.source:
            sent += await sender.media(
                recipient_id, part.media_kind or "document", part.source, caption=part.caption
            )
        elif part.kind == "custom" and part.data is not None:
            sent.append(await sender.custom(recipient_id, part.data))
    return sent
