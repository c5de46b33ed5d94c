"""Outbound messages: ``Sender``, and the 24-hour window it keeps.

``Sender`` is what the Rasa output channel (and the agent console) call to reply: it builds
bodies within Meta's limits (``payloads``), keeps the 24-hour customer service window
(outside it only the configured template goes out), records every message with its wamid
and status (``records``), and sends through the paced, retrying ``GraphClient``.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import mimetypes
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from helpdesk.customers import get_customer
from helpdesk.db.models.base import utcnow
from helpdesk.errors import GraphAPIError
from helpdesk.whatsapp import at_once, identity, payloads
from helpdesk.whatsapp.errors_map import NextStep, reaction_for
from helpdesk.whatsapp.graph import GraphClient
from helpdesk.whatsapp.payloads import Choice
from helpdesk.whatsapp.records import (
    Reservation,
    choice_id,
    claim_resend,
    last_inbound_timestamp,
    mark_accepted,
    mark_error,
    record_outbound,
    reply_wamid,
    reserve_reply,
)
from helpdesk.whatsapp.replay import callback_data, next_reply_key
from helpdesk.whatsapp.texts import text as say
from helpdesk.whatsapp.webhook import Status
from helpdesk.whatsapp.writes import write_async

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 24 * 3600
MAX_RESENDS = 2
# How long a reply Meta accepted waits for the database to record its wamid.
ACCEPTED_PATIENCE = 60.0
# How often a replayed reply looks for the status webhook that confirms its first attempt.
CONFIRM_POLL = 0.5

TellAgent = Callable[[str, str], Awaitable[None]]


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
        sleep: Any = asyncio.sleep,
        on_stop: TellAgent | None = None,
        delay_scale: float = 1.0,
        confirm_wait: float = 60.0,
    ) -> None:
        self.client = client
        self.url = url
        self.window_template = window_template
        self.template_language = template_language
        self._now = now
        self._sleep = sleep
        # Called with (customer, note) when agents must know (errors_map): undeliverable…
        self.on_stop = on_stop
        self.delay_scale = delay_scale  # tests shorten Meta's waits
        # WHATSAPP_REPLY_CONFIRM_SECONDS: see ``_reserve``.
        self.confirm_wait = confirm_wait

    async def _db(self, function: Any, *, patience: float = 5.0, **kwargs: Any) -> Any:
        return await write_async(function, url=self.url, patience=patience, **kwargs)

    async def window_open(self, recipient_id: str) -> bool:
        last = await self._db(last_inbound_timestamp, sender_id=recipient_id)
        return self._in_window(last)

    def _in_window(self, last: int | None) -> bool:
        return last is not None and self._now() - last < WINDOW_SECONDS

    async def send(
        self, recipient_id: str, payload: dict[str, Any], *, resends: int = 0
    ) -> str | None:
        """Send one body as is (after the window check); returns its wamid or None."""
        key = next_reply_key()
        # One transaction before the call to Meta (window, address, the reply's record):
        # each one was a thread hop and a round trip or four, on every reply of every turn.
        prepared = None
        if key is not None and not resends:  # the usual reply: one statement (``at_once``)
            prepared = await at_once.reserve(
                self.url, recipient_id=recipient_id, payload=payload, key=key,
                in_window=self._in_window,
            )  # fmt: skip
        if prepared is None:
            prepared = await self._db(
                self._prepare, recipient_id=recipient_id, payload=payload, key=key,
                resends=resends,
            )  # fmt: skip
        if prepared is None:
            return None
        payload, found = prepared
        outbound_id, sent = found.id, found.wamid
        if key is not None and not sent and found.unconfirmed_since is not None:
            outbound_id, sent = await self._confirm_or_reserve(
                recipient_id, payload, key, outbound_id=found.id, since=found.unconfirmed_since
            )
        if sent and key is not None:  # a replayed turn: this reply went out before the crash
            logger.info("Not resending reply %d to %s: already sent", key[1], key[0])
            return sent
        try:
            wamid = await self.client.send(payload)
        except GraphAPIError as error:
            logger.error("Sending to %s failed: %s", _mask(recipient_id), error)
            await self._db(mark_error, outbound_id=outbound_id, error=error)
            reaction = reaction_for(error.code)
            await self._tell(recipient_id, reaction.tell_agent)
            if reaction.step == NextStep.TEMPLATE and payload.get("type") != "template":
                return await self._window_template(recipient_id)
            fallback = payloads.plain_fallback(payload)
            if fallback and not error.retryable and reaction.step == NextStep.NOTHING:
                return await self.send(recipient_id, fallback)
            return None
        # Meta has the message now: its wamid must reach the database, or a replay of this
        # turn would send it again. Keep trying (the worker renews the lease meanwhile).
        if not await at_once.accepted(self.url, outbound_id=outbound_id, wamid=wamid):
            await self._db(
                mark_accepted, outbound_id=outbound_id, wamid=wamid, patience=ACCEPTED_PATIENCE
            )
        return wamid

    def _prepare(
        self,
        session: Session,
        *,
        recipient_id: str,
        payload: dict[str, Any],
        key: tuple[str, int] | None,
        resends: int,
    ) -> tuple[dict[str, Any], Reservation] | None:
        """The body as it will go (the window template outside the 24-hour window,
        addressed) and its outbound row's reservation (with the wamid of a reply a previous
        run got accepted, or when a previous run left it unconfirmed); None when nothing may
        be sent. Safe to run again (``write`` may)."""
        if payload.get("type") != "template" and not self._in_window(
            last_inbound_timestamp(session, sender_id=recipient_id)
        ):
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
        where = identity.address(session, key=recipient_id)
        payload = payloads.addressed(payload, phone=where.phone, user_id=where.user_id)
        if key is None:
            outbound_id = record_outbound(
                session, recipient_id=recipient_id, payload=payload, resends=resends
            )
            return payload, Reservation(outbound_id)
        payload = {**payload, "biz_opaque_callback_data": callback_data(key)}
        found = reserve_reply(
            session, recipient_id=recipient_id, payload=payload, reply_to=key[0], reply_seq=key[1]
        )
        return payload, found

    async def _confirm_or_reserve(
        self,
        recipient_id: str,
        payload: dict[str, Any],
        key: tuple[str, int],
        *,
        outbound_id: int,
        since: datetime,
    ) -> tuple[int, str | None]:
        """Reply ``key`` as a previous run left it unconfirmed: ``(row id, wamid)``, the
        wamid set when that run's send turns out to have gone out.

        A previous run that died while sending leaves the reply reserved without a wamid:
        Meta may have accepted it (the answer never arrived) or not. Its status webhooks
        carry the key and write the wamid on the row (``records.apply_status``), so wait for
        them until ``confirm_wait`` seconds after that reservation; only then send again."""
        reserve = functools.partial(
            self._db,
            reserve_reply,
            recipient_id=recipient_id,
            payload=payload,
            reply_to=key[0],
            reply_seq=key[1],
        )
        deadline = since + timedelta(seconds=self.confirm_wait)
        logger.info(
            "Reply %d to %s may have gone out before a crash: waiting up to %.0fs for Meta's "
            "status",
            key[1],
            key[0],
            max(0.0, (deadline - utcnow()).total_seconds()),
        )
        while True:
            wamid = await self._db(reply_wamid, outbound_id=outbound_id)
            if wamid:
                return outbound_id, wamid
            left = (deadline - utcnow()).total_seconds()
            if left <= 0:
                break
            await asyncio.sleep(min(CONFIRM_POLL, left))
        logger.warning(
            "Reply %d to %s: no status from Meta within %.0fs of the first attempt; sending it "
            "again (a possible duplicate if Meta had accepted it)",
            key[1],
            key[0],
            self.confirm_wait,
        )
        found = await reserve(resend_unconfirmed=True)
        return found.id, found.wamid

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
        header_image: str | None = None,
    ) -> list[str | None]:
        """Rasa buttons (``title``/``payload``) → reply buttons, a list, or numbered text;
        ``header_image`` (a URL or a local file) tops reply buttons, or goes first as a
        picture of its own where Meta allows no header (lists, numbered text)."""

        def ids(session: Session) -> tuple[list[str], str | None]:
            # The buttons' ids and the customer's language in one transaction: each was a
            # thread hop and a round trip on the way to every reply with buttons.
            found = [
                choice_id(session, payload=str(b.get("payload") or b.get("title") or ""))
                for b in buttons
            ]
            if language is not None:
                return found, language
            return found, _customer_language(session, sender_id=recipient_id)

        choice_ids, language = await self._db(ids)
        choices = [
            Choice(id=cid, title=str(b.get("title") or b.get("payload") or "?"))
            for cid, b in zip(choice_ids, buttons, strict=True)
        ]
        if not choices:
            return await self.text(recipient_id, text)
        header = None
        if header_image and payloads.fits_reply_buttons(choices):
            header = await self._header(header_image)
        pictured: list[str | None] = []
        if header_image and header is None:
            pictured = await self.media(recipient_id, "image", header_image)
        if payloads.fits_reply_buttons(choices):
            body = payloads.reply_buttons(recipient_id, text, choices)
            if header is not None:
                body["interactive"]["header"] = {"type": "image", "image": header}
        elif len(choices) <= payloads.MAX_LIST_ROWS:
            body = payloads.list_message(
                recipient_id, text, choices, button=say("list_button", language)
            )
        else:
            numbered = (
                payloads.numbered_text(text, choices) + "\n\n" + say("choose_number", language)
            )
            return pictured + await self.text(recipient_id, numbered)
        if len(text) > payloads.MAX_INTERACTIVE_BODY:
            # The interactive body is capped at 1024: send the long part as text first.
            sent = await self.text(recipient_id, text)
            body["interactive"]["body"]["text"] = payloads.shorten(
                text.strip().split("\n")[-1], payloads.MAX_INTERACTIVE_BODY
            )
            return [*pictured, *sent, await self.send(recipient_id, body)]
        return [*pictured, await self.send(recipient_id, body)]

    async def _header(self, source: str) -> dict[str, str] | None:
        """The ``image`` object of an interactive header (None if the upload failed)."""
        if source.startswith(("http://", "https://")):
            return {"link": source}
        path = Path(source[len("file://") :] if source.startswith("file://") else source)
        mime = mimetypes.guess_type(path.name)[0] or "image/jpeg"
        try:
            data = await asyncio.to_thread(path.read_bytes)
            return {"id": await self.client.upload_media(data, mime=mime, filename=path.name)}
        except (OSError, GraphAPIError) as error:
            logger.error("Header image upload failed: %s", error)
            return None

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
        """React to a message Meta reported as failed, as ``errors_map`` says for its code:
        resend after the map's wait (at most ``MAX_RESENDS`` times per message), send the
        window template, or stop and tell the agent."""
        code = (status.errors[0] if status.errors else {}).get("code")
        reaction = reaction_for(code)
        if reaction.step == NextStep.NOTHING:
            return
        found = await self._db(claim_resend, wamid=status.wamid, max_resends=MAX_RESENDS)
        if not found:
            return
        recipient_id, payload, resends = found
        await self._tell(recipient_id, reaction.tell_agent)
        if reaction.step == NextStep.STOP:
            return
        if reaction.step == NextStep.TEMPLATE:
            if payload.get("type") != "template":
                await self._window_template(recipient_id)
            return
        await self._sleep(reaction.wait(resends) * self.delay_scale)
        await self.send(recipient_id, payload, resends=resends)

    async def _window_template(self, recipient_id: str) -> str | None:
        if not self.window_template:
            logger.warning("Outside the 24-hour window and no WHATSAPP_WINDOW_TEMPLATE set")
            return None
        body = payloads.template_message(
            recipient_id, self.window_template, language=self.template_language
        )
        return await self.send(recipient_id, body)

    async def _tell(self, recipient_id: str, note: str | None) -> None:
        if not note:
            return
        logger.warning("Delivery to %s: %s", _mask(recipient_id), note)
        if self.on_stop is not None:
            try:
                await self.on_stop(recipient_id, note)
            except Exception:
                logger.exception("Could not tell the agent about %s", _mask(recipient_id))


def _customer_language(session: Session, *, sender_id: str) -> str | None:
    customer = get_customer(session, sender_id=sender_id)
    return customer.language if customer else None


def _mask(number: str) -> str:
    """Personal numbers are masked in logs."""
    return number[:3] + "…" + number[-2:] if len(number) > 6 else "…"
