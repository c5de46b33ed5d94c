"""Outbound messages: records and statuses, button ids, the 24-hour window, and ``Sender``.

``Sender`` is what the Rasa output channel (and later the agent console) call to reply: it
builds bodies within Meta's limits (``payloads``), keeps the 24-hour customer service window
(outside it only the configured template goes out), records every message with its wamid
and status, and sends through the paced, retrying ``GraphClient``.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import mimetypes
import time
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from helpdesk.db.models import ButtonId, OutboundMessage, Reaction
from helpdesk.errors import GraphAPIError
from helpdesk.whatsapp import payloads
from helpdesk.whatsapp.graph import RETRYABLE_CODES, GraphClient
from helpdesk.whatsapp.payloads import Choice
from helpdesk.whatsapp.replay import next_reply_key
from helpdesk.whatsapp.webhook import Status

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 24 * 3600
_STATUS_RANK = {
    "queued": 0,
    "error": 0,
    "accepted": 1,
    "sent": 2,
    "delivered": 3,
    "read": 4,
    "played": 5,
}
MAX_RESENDS = 2


# --- data access ---------------------------------------------------------------------


def record_outbound(session: Session, *, recipient_id: str, payload: dict[str, Any]) -> int:
    row = OutboundMessage(
        recipient_id=recipient_id,
        type=str(payload.get("type") or "unknown")[:32],
        payload=json.dumps(payload, ensure_ascii=False),
        status="queued",
        resends=0,
    )
    session.add(row)
    session.flush()
    return row.id


def reserve_reply(
    session: Session,
    *,
    recipient_id: str,
    payload: dict[str, Any],
    reply_to: str,
    reply_seq: int,
) -> tuple[int, str | None]:
    """The outbound row for reply ``reply_seq`` to inbound ``reply_to``: ``(id, wamid)``,
    with the wamid set when a previous run of this turn already got it accepted by Meta."""
    row = session.execute(
        select(OutboundMessage).where(
            OutboundMessage.reply_to == reply_to, OutboundMessage.reply_seq == reply_seq
        )
    ).scalar_one_or_none()
    if row is not None and row.wamid:
        return row.id, row.wamid
    if row is None:
        row = OutboundMessage(
            recipient_id=recipient_id, resends=0, reply_to=reply_to, reply_seq=reply_seq
        )
        session.add(row)
    # Never accepted (the previous run died before Meta answered, or Meta refused): send.
    row.type = str(payload.get("type") or "unknown")[:32]
    row.payload = json.dumps(payload, ensure_ascii=False)
    row.status = "queued"
    session.flush()
    return row.id, None


def mark_accepted(session: Session, *, outbound_id: int, wamid: str) -> None:
    """Meta accepted the message (its statuses follow by webhook).

    A status can overtake this call (it comes on another connection); ``apply_status``
    then left a placeholder row under the wamid, which is folded in here.
    """
    row = session.get(OutboundMessage, outbound_id)
    if row is None:
        return
    early = session.execute(
        select(OutboundMessage).where(OutboundMessage.wamid == wamid)
    ).scalar_one_or_none()
    if row.status in ("queued", "error"):
        row.status = "accepted"
        row.error_code = None
    if early is not None and early.id != row.id:
        if _STATUS_RANK.get(early.status, 0) > _STATUS_RANK.get(row.status, 0) or (
            early.status == "failed"
        ):
            row.status = early.status
            row.error_code, row.error_message = early.error_code, early.error_message
        session.delete(early)
        session.flush()
    row.wamid = wamid


def mark_error(session: Session, *, outbound_id: int, error: GraphAPIError) -> None:
    row = session.get(OutboundMessage, outbound_id)
    if row is not None:
        row.status = "error"
        row.error_code = error.code
        row.error_message = str(error)[:2000]


def apply_status(session: Session, *, status: Status) -> OutboundMessage | None:
    """Apply a sent/delivered/read/failed status; never moves a status backwards."""
    row = session.execute(
        select(OutboundMessage).where(OutboundMessage.wamid == status.wamid)
    ).scalar_one_or_none()
    if row is None:
        # The status overtook our own record of the send: keep it under the wamid until
        # ``mark_accepted`` folds it in (or as the only trace of a message sent elsewhere).
        row = OutboundMessage(
            wamid=status.wamid,
            recipient_id=status.recipient_id or "unknown",
            type="unknown",
            payload="{}",
            status="queued",
            resends=0,
        )
        session.add(row)
    if status.status == "failed":
        error = status.errors[0] if status.errors else {}
        row.status = "failed"
        row.error_code = error.get("code")
        details = (error.get("error_data") or {}).get("details")
        row.error_message = " — ".join(
            str(part) for part in (error.get("title") or error.get("message"), details) if part
        )
        logger.warning(
            "WhatsApp could not deliver %s: %s %s", status.wamid, row.error_code, row.error_message
        )
    elif _STATUS_RANK.get(status.status, 0) > _STATUS_RANK.get(row.status, 0):
        row.status = status.status
    return row


def get_outbound(session: Session, *, recipient_id: str) -> list[OutboundMessage]:
    return list(
        session.execute(
            select(OutboundMessage)
            .where(OutboundMessage.recipient_id == recipient_id)
            .order_by(OutboundMessage.id)
        ).scalars()
    )


def choice_id(session: Session, *, payload: str) -> str:
    """The id to put on a button/row for ``payload``; long payloads get a stored short id."""
    if 0 < len(payload) <= payloads.MAX_ROW_ID:
        return payload
    short = "hd:" + hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]
    if session.get(ButtonId, short) is None:
        session.add(ButtonId(short_id=short, payload=payload))
        session.flush()
    return short


def resolve_choice(session: Session, *, choice: str) -> str:
    """The Rasa payload behind a tapped button/row id."""
    if choice.startswith("hd:"):
        row = session.get(ButtonId, choice)
        if row is not None:
            return row.payload
    return choice


def record_reaction(
    session: Session, *, sender_id: str, message_wamid: str, emoji: str | None
) -> None:
    session.add(Reaction(sender_id=sender_id, message_wamid=message_wamid, emoji=emoji or None))


def erase(session: Session, *, sender_id: str) -> int:
    deleted = session.execute(
        delete(OutboundMessage).where(OutboundMessage.recipient_id == sender_id)
    ).rowcount
    deleted += session.execute(delete(Reaction).where(Reaction.sender_id == sender_id)).rowcount
    return deleted or 0


def erase_all(session: Session, *, sender_id: str) -> int:
    """Erasure step for everything the channel keeps about a customer."""
    from helpdesk.whatsapp import inbox

    return erase(session, sender_id=sender_id) + inbox.erase(session, sender_id=sender_id)


# --- sending -------------------------------------------------------------------------


class Sender:
    """Reply to a customer; see the module docstring. Never raises on delivery problems:
    a message Meta refused is recorded with Meta's error, logged, and — for rich messages —
    replaced by plain text so the customer still gets the content."""

    def __init__(
        self,
        client: GraphClient,
        *,
        url: str | None = None,
        window_template: str | None = None,
        template_language: str = "en",
        now: Any = time.time,
    ) -> None:
        self.client = client
        self.url = url
        self.window_template = window_template
        self.template_language = template_language
        self._now = now

    async def _db(self, function: Any, **kwargs: Any) -> Any:
        from helpdesk.whatsapp.inbox import write_session

        def run() -> Any:
            with write_session(self.url) as session:
                return function(session, **kwargs)

        return await asyncio.to_thread(run)

    async def window_open(self, recipient_id: str) -> bool:
        from helpdesk.whatsapp.inbox import last_inbound_timestamp

        last = await self._db(last_inbound_timestamp, sender_id=recipient_id)
        return last is not None and self._now() - last < WINDOW_SECONDS

    async def send(self, recipient_id: str, payload: dict[str, Any]) -> str | None:
        """Send one body as is (after the window check); returns its wamid or None."""
        if payload.get("type") != "template" and not await self.window_open(recipient_id):
            if not self.window_template:
                logger.warning(
                    "Not sending to %s: outside the 24-hour window and no "
                    "WHATSAPP_WINDOW_TEMPLATE configured",
                    _mask(recipient_id),
                )
                return None
            payload = payloads.template_message(
                recipient_id, self.window_template, language=self.template_language
            )
        key = next_reply_key()
        if key is None:
            outbound_id = await self._db(
                record_outbound, recipient_id=recipient_id, payload=payload
            )
        else:
            outbound_id, sent = await self._db(
                reserve_reply,
                recipient_id=recipient_id,
                payload=payload,
                reply_to=key[0],
                reply_seq=key[1],
            )
            if sent:  # a replayed turn: this reply already went out before the crash
                logger.info("Not resending reply %d to %s: already sent", key[1], key[0])
                return sent
        try:
            wamid = await self.client.send(payload)
        except GraphAPIError as error:
            logger.error("Sending to %s failed: %s", _mask(recipient_id), error)
            await self._db(mark_error, outbound_id=outbound_id, error=error)
            fallback = _plain_fallback(payload)
            if fallback and not error.retryable:
                return await self.send(recipient_id, fallback)
            return None
        await self._db(mark_accepted, outbound_id=outbound_id, wamid=wamid)
        return wamid

    async def text(self, recipient_id: str, text: str) -> list[str | None]:
        return [
            await self.send(recipient_id, p) for p in payloads.text_messages(recipient_id, text)
        ]

    async def choices(
        self,
        recipient_id: str,
        text: str,
        buttons: list[dict[str, Any]],
        *,
        language: str | None = None,
    ) -> list[str | None]:
        """Rasa buttons (``title``/``payload``) → reply buttons, a list, or numbered text."""
        from helpdesk.whatsapp.texts import text as say

        def ids(session: Session) -> list[str]:
            return [
                choice_id(session, payload=str(b.get("payload") or b.get("title") or ""))
                for b in buttons
            ]

        choice_ids = await self._db(ids)
        if language is None:
            language = await self._db(_customer_language, sender_id=recipient_id)
        choices = [
            Choice(id=cid, title=str(b.get("title") or b.get("payload") or "?"))
            for cid, b in zip(choice_ids, buttons, strict=True)
        ]
        if not choices:
            return await self.text(recipient_id, text)
        if payloads.fits_reply_buttons(choices):
            body = payloads.reply_buttons(recipient_id, text, choices)
        elif len(choices) <= payloads.MAX_LIST_ROWS:
            body = payloads.list_message(
                recipient_id, text, choices, button=say("list_button", language)
            )
        else:
            numbered = (
                payloads.numbered_text(text, choices) + "\n\n" + say("choose_number", language)
            )
            return await self.text(recipient_id, numbered)
        if len(text) > payloads.MAX_INTERACTIVE_BODY:
            # The interactive body is capped at 1024: send the long part as text first.
            sent = await self.text(recipient_id, text)
            body["interactive"]["body"]["text"] = payloads.shorten(
                text.strip().split("\n")[-1], payloads.MAX_INTERACTIVE_BODY
            )
            return [*sent, await self.send(recipient_id, body)]
        return [await self.send(recipient_id, body)]

    async def media(
        self, recipient_id: str, kind: str, source: str, *, caption: str | None = None
    ) -> list[str | None]:
        """Send an image/document/video: an http(s) URL goes by link, a local file is
        uploaded to the media endpoint first."""
        media_id = link = filename = None
        if source.startswith(("http://", "https://")):
            link = source
        else:
            path = Path(source[len("file://") :] if source.startswith("file://") else source)
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            data = await asyncio.to_thread(path.read_bytes)
            filename = path.name
            try:
                media_id = await self.client.upload_media(data, mime=mime, filename=path.name)
            except GraphAPIError as error:
                logger.error("Media upload failed: %s", error)
                return await self.text(recipient_id, caption) if caption else []
        bodies = payloads.media_message(
            recipient_id, kind, media_id=media_id, link=link, caption=caption, filename=filename
        )
        return [await self.send(recipient_id, b) for b in bodies]

    async def custom(self, recipient_id: str, data: dict[str, Any]) -> str | None:
        return await self.send(recipient_id, payloads.custom(recipient_id, data))

    async def resend(self, status: Status) -> None:
        """Resend a message Meta reported as failed with a code where retrying helps."""
        code = (status.errors[0] if status.errors else {}).get("code")
        if code not in RETRYABLE_CODES:
            return

        def load(session: Session) -> tuple[str, dict] | None:
            row = session.execute(
                select(OutboundMessage).where(OutboundMessage.wamid == status.wamid)
            ).scalar_one_or_none()
            if row is None or row.resends >= MAX_RESENDS:
                return None
            row.resends += 1
            return row.recipient_id, json.loads(row.payload)

        found = await self._db(load)
        if found:
            await self.send(*found)


def _plain_fallback(payload: dict[str, Any]) -> dict[str, Any] | None:
    """A text version of a rich message Meta refused, so the customer still reads it."""
    kind = payload.get("type")
    to = payload.get("to", "")
    if kind == "interactive":
        interactive = payload.get("interactive") or {}
        text = (interactive.get("body") or {}).get("text") or ""
        action = interactive.get("action") or {}
        titles = [b.get("reply", {}).get("title", "") for b in action.get("buttons") or []]
        for section in action.get("sections") or []:
            titles += [row.get("title", "") for row in section.get("rows") or []]
        lines = [text, ""] + [f"{i}. {t}" for i, t in enumerate(titles, start=1)]
        return payloads.text_messages(to, "\n".join(lines))[0]
    if kind in ("image", "document", "video") and (payload.get(kind) or {}).get("caption"):
        return payloads.text_messages(to, payload[kind]["caption"])[0]
    return None


def _customer_language(session: Session, *, sender_id: str) -> str | None:
    from helpdesk.customers import get_customer

    customer = get_customer(session, sender_id=sender_id)
    return customer.language if customer else None


def _mask(number: str) -> str:
    """Personal numbers are masked in logs."""
    return number[:3] + "…" + number[-2:] if len(number) > 6 else "…"
