"""Agent → customer over WhatsApp, and the bot's resumption when an agent lets go.

``deliver`` keeps Meta's 24-hour rule itself so the agent sees what happened: inside the
window the text (and file) go out; outside it only ``WHATSAPP_WINDOW_TEMPLATE`` is sent
(the customer gets the approved template inviting them to write back, the agent's text is
kept on the ticket as ``delivery="template"``); with no template nothing is sent
(``not_sent``). ``resume_bot`` tells Rasa to take the conversation back.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from helpdesk import logsafety
from helpdesk.db.models.status import Delivery
from helpdesk.settings import get_settings
from helpdesk.whatsapp import payloads

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outgoing:
    data: bytes
    mime: str
    filename: str


async def deliver(
    sender: Any,
    recipient_id: str,
    *,
    text: str | None = None,
    media: Outgoing | None = None,
    language: str = "en",
) -> Delivery:
    """Send through ``helpdesk.whatsapp.outbound.Sender``; what became of the reply."""
    if not await sender.window_open(recipient_id):
        if not sender.window_template:
            return Delivery.NOT_SENT
        body = payloads.template_message(recipient_id, sender.window_template, language=language)
        return Delivery.TEMPLATE if await sender.send(recipient_id, body) else Delivery.FAILED
    wamids: list[str | None] = []
    if media is not None:
        kind = (
            "image"
            if media.mime in ("image/jpeg", "image/png")
            else "video"
            if media.mime in ("video/mp4", "video/3gpp")
            else "document"
        )
        try:
            media_id = await sender.client.upload_media(
                media.data, mime=media.mime, filename=media.filename
            )
        except Exception as error:  # reported to the agent as "failed"
            logger.error("uploading the agent's file failed: %s", error)
            return Delivery.FAILED
        bodies = payloads.media_message(
            recipient_id,
            kind,
            media_id=media_id,
            caption=text or None,
            filename=media.filename if kind == "document" else None,
        )
        for body in bodies:
            wamids.append(await sender.send(recipient_id, body))
    elif text:
        wamids += await sender.text(recipient_id, text)
    return Delivery.SENT if wamids and all(wamids) else Delivery.FAILED


ResumeHook = Callable[[str, str, str], Awaitable[bool]]
_resume_hook: ResumeHook | None = None


def set_resume_hook(hook: ResumeHook | None) -> None:
    """Replace how the bot is resumed (``None``: Rasa's HTTP API, the default)."""
    global _resume_hook
    _resume_hook = hook


async def resume_bot(sender_id: str, *, outcome: str, language: str = "en") -> bool:
    """Resume the bot for ``sender_id`` after ``outcome`` (closed or handed_back).

    Default: ``POST {HELPDESK_RASA_URL}/conversations/{id}/trigger_intent?output_channel=latest``
    with ``{"name": HELPDESK_RESUME_INTENT, "entities": {"outcome": ..., "language": ...}}``;
    the Rasa side maps that intent to unpausing and (after ``closed``) the 1–5 satisfaction
    question, sent on the customer's last channel. Never raises: the ticket is closed either
    way, and a failure is logged for the operator.
    """
    if _resume_hook is not None:
        return await _resume_hook(sender_id, outcome, language)

    settings = get_settings()
    logsafety.install()  # httpx logs the URL: the token and the customer's number are in it
    url = f"{settings.rasa_url.rstrip('/')}/conversations/{sender_id}/trigger_intent"
    body = {
        "name": settings.resume_intent,
        "entities": {"outcome": outcome, "language": language},
    }
    try:
        async with httpx.AsyncClient(timeout=30) as client:
            params = {"output_channel": "latest"}
            if settings.rasa_token:
                params["token"] = settings.rasa_token
            answer = await client.post(url, params=params, json=body)
    except httpx.HTTPError as error:
        logger.error("Could not resume the bot at %s: %r", logsafety.redact(url), error)
        return False
    if answer.status_code >= 400:
        logger.error("Rasa refused to resume the bot: %s %s", answer.status_code, answer.text[:300])
        return False
    return True
