"""Bodies for ``POST /{phone-number-id}/messages``, kept within Meta's limits.

Plain dicts rather than pywa's models: pywa 4.5 validates nothing about lengths or counts
(it leaves that to Meta), and we need exactly the opposite — never send a body that Meta
would reject, degrade gracefully instead (shorten, split, fall back to a list or to numbered
text). The shapes follow the Cloud API reference for messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_BUTTONS = 3
MAX_BUTTON_TITLE = 20
MAX_BUTTON_ID = 256
MAX_LIST_ROWS = 10
MAX_ROW_TITLE = 24
MAX_ROW_DESCRIPTION = 72
MAX_ROW_ID = 200
MAX_LIST_BUTTON = 20
MAX_INTERACTIVE_BODY = 1024

# Media limits for what customers send us (bytes) and the MIME types Meta accepts.
MEDIA_LIMITS = {
    "image": 5 * 1024 * 1024,
    "video": 16 * 1024 * 1024,
    "audio": 16 * 1024 * 1024,
    "document": 100 * 1024 * 1024,
    "sticker": 500 * 1024,
}

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def shorten(text: str, limit: int) -> str:
    """Cut at a word boundary and end with an ellipsis when ``text`` is too long."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:-") + "…"


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split ``text`` into parts ≤ ``limit``: at paragraphs, then sentences, then words."""
    text = text.strip()
    if len(text) <= limit:
        return [text] if text else []
    parts: list[str] = []
    current = ""
    for piece in _pieces(text, limit):
        joiner = "\n\n" if piece.startswith("\x00") else " "
        piece = piece.lstrip("\x00")
        candidate = f"{current}{joiner}{piece}" if current else piece
        if len(candidate) <= limit:
            current = candidate
        else:
            if current:
                parts.append(current)
            current = piece
    if current:
        parts.append(current)
    return parts


def _pieces(text: str, limit: int) -> list[str]:
    """Paragraphs (marked with a leading NUL) broken into sentences and words as needed."""
    pieces: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        chunks = [paragraph] if len(paragraph) <= limit else _sentences(paragraph, limit)
        pieces.append("\x00" + chunks[0])
        pieces.extend(chunks[1:])
    return pieces


def _sentences(paragraph: str, limit: int) -> list[str]:
    out: list[str] = []
    for sentence in _SENTENCE_END.split(paragraph):
        while len(sentence) > limit:
            cut = sentence.rfind(" ", 0, limit)
            cut = cut if cut > 0 else limit
            out.append(sentence[:cut])
            sentence = sentence[cut:].lstrip()
        if sentence:
            out.append(sentence)
    return out


def _base(to: str, kind: str, context_wamid: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": kind,
    }
    if context_wamid:
        body["context"] = {"message_id": context_wamid}
    return body


def text_messages(to: str, text: str, *, preview_url: bool = False) -> list[dict[str, Any]]:
    """One or more text messages (split beyond 4096 characters)."""
    return [
        {**_base(to, "text"), "text": {"body": part, "preview_url": preview_url}}
        for part in split_text(text)
    ]


@dataclass(frozen=True)
class Choice:
    """A button or list row: ``id`` is what comes back when tapped, ``title`` is shown."""

    id: str
    title: str
    description: str | None = None


def fits_reply_buttons(choices: list[Choice]) -> bool:
    return 0 < len(choices) <= MAX_BUTTONS


def reply_buttons(to: str, text: str, choices: list[Choice]) -> dict[str, Any]:
    """Up to three reply buttons; titles longer than 20 are shortened and the full wording
    is appended to the body so that nothing the designer wrote is lost."""
    shortened = [c for c in choices if len(c.title) > MAX_BUTTON_TITLE]
    body = text.strip()
    if shortened:
        body += "\n\n" + "\n".join(f"• {c.title}" for c in choices)
    return {
        **_base(to, "interactive"),
        "interactive": {
            "type": "button",
            "body": {"text": shorten(body, MAX_INTERACTIVE_BODY)},
            "action": {
                "buttons": [
                    {
                        "type": "reply",
                        "reply": {"id": c.id, "title": shorten(c.title, MAX_BUTTON_TITLE)},
                    }
                    for c in choices
                ]
            },
        },
    }


def list_message(
    to: str, text: str, choices: list[Choice], *, button: str = "Options"
) -> dict[str, Any]:
    """A list message of up to ten rows (titles ≤ 24, descriptions ≤ 72).

    A row whose title had to be shortened keeps its full wording as the description.
    """
    rows = []
    for c in choices[:MAX_LIST_ROWS]:
        row: dict[str, Any] = {"id": c.id, "title": shorten(c.title, MAX_ROW_TITLE)}
        description = c.description or (c.title if len(c.title) > MAX_ROW_TITLE else None)
        if description:
            row["description"] = shorten(description, MAX_ROW_DESCRIPTION)
        rows.append(row)
    return {
        **_base(to, "interactive"),
        "interactive": {
            "type": "list",
            "body": {"text": shorten(text.strip() or "…", MAX_INTERACTIVE_BODY)},
            "action": {
                "button": shorten(button, MAX_LIST_BUTTON),
                "sections": [{"title": shorten(button, MAX_ROW_TITLE), "rows": rows}],
            },
        },
    }


def numbered_text(text: str, choices: list[Choice]) -> str:
    """Beyond ten choices: a numbered list the customer answers by typing the number."""
    lines = [text.strip(), ""] + [f"{i}. {c.title}" for i, c in enumerate(choices, start=1)]
    return "\n".join(lines).strip()


def media_message(
    to: str,
    kind: str,
    *,
    media_id: str | None = None,
    link: str | None = None,
    caption: str | None = None,
    filename: str | None = None,
) -> list[dict[str, Any]]:
    """An image/video/document/audio message; a caption over 1024 characters is moved to a
    text message that follows, so the customer still reads all of it."""
    if not (media_id or link):
        raise ValueError("a media message needs a media id or a link")
    media: dict[str, Any] = {"id": media_id} if media_id else {"link": link}
    extra: list[dict[str, Any]] = []
    if caption and kind != "audio":
        if len(caption) <= MAX_CAPTION:
            media["caption"] = caption
        else:
            extra = text_messages(to, caption)
    if filename and kind == "document":
        media["filename"] = filename
    return [{**_base(to, kind), kind: media}, *extra]


def template_message(
    to: str, name: str, *, language: str = "en", components: list[dict] | None = None
) -> dict[str, Any]:
    template: dict[str, Any] = {"name": name, "language": {"code": language}}
    if components:
        template["components"] = components
    return {**_base(to, "template"), "template": template}


def addressed(body: dict[str, Any], *, phone: str | None, user_id: str | None) -> dict[str, Any]:
    """``body`` addressed as Meta documents: ``to`` where the phone number is known (it
    wins when both are given, so only ``to`` is sent), else ``recipient`` with the BSUID
    for a customer who shares only a username."""
    body = {k: v for k, v in body.items() if k not in ("to", "recipient")}
    if phone:
        body["to"] = phone
    elif user_id:
        body["recipient"] = user_id
    return body


def mark_read(wamid: str, *, typing: bool = True) -> dict[str, Any]:
    """Mark an inbound message as read; with ``typing`` WhatsApp shows "typing…" until
    the next reply (or 25 seconds)."""
    body: dict[str, Any] = {"messaging_product": "whatsapp", "status": "read", "message_id": wamid}
    if typing:
        body["typing_indicator"] = {"type": "text"}
    return body


def custom(to: str, data: dict[str, Any]) -> dict[str, Any]:
    """Pass a designer's custom JSON through (templates, CTA URLs, flows, location
    requests…), adding only the envelope fields Meta requires."""
    body = dict(data)
    body.setdefault("messaging_product", "whatsapp")
    body.setdefault("recipient_type", "individual")
    body.setdefault("to", to)
    if "type" not in body:
        for kind in ("template", "interactive", "image", "document", "video", "location"):
            if kind in body:
                body["type"] = kind
                break
    return body


def plain_fallback(payload: dict[str, Any]) -> dict[str, Any] | None:
    """A text version of a rich message Meta refused, so the customer still reads it."""
    kind = payload.get("type")
    to = payload.get("to") or payload.get("recipient") or ""
    if kind == "interactive":
        interactive = payload.get("interactive") or {}
        text = (interactive.get("body") or {}).get("text") or ""
        action = interactive.get("action") or {}
        titles = [b.get("reply", {}).get("title", "") for b in action.get("buttons") or []]
        for section in action.get("sections") or []:
            titles += [row.get("title", "") for row in section.get("rows") or []]
        lines = [text, ""] + [f"{i}. {t}" for i, t in enumerate(titles, start=1)]
        return text_messages(to, "\n".join(lines))[0]
    if kind in ("image", "document", "video") and (payload.get(kind) or {}).get("caption"):
        return text_messages(to, payload[kind]["caption"])[0]
    return None
