"""From a stored inbound message to what the dialogue engine receives.

``InboundProcessor`` is the inbox worker's ``process``: it marks the message read (with the
typing indicator), then turns it into a ``Turn`` — text plus metadata — and hands it to
``deliver`` (the Rasa channel passes a function that builds a ``UserMessage``):

- text → the text; ``button``/``button_reply``/``list_reply`` → the payload of the button
  the bot sent (``/affirm``…); a flow reply → ``/flow_completed`` with the response;
- image, video, document, audio, voice note, sticker → downloaded, checked against Meta's
  size limits, sniffed, stored in the media store, recorded, and delivered as
  ``/media_shared`` with ``metadata["media"]``; the caption is kept as ``metadata["caption"]``
  and ``metadata["text"]``;
- location → ``/location_shared``, contacts → ``/contacts_shared`` (details in metadata);
- reaction → recorded, nothing delivered; revoke/system → logged only;
- unsupported, order and unknown types → a polite answer saying what can be sent instead.

Every turn's metadata carries ``wamid``, ``type``, ``timestamp``, ``profile_name``, for
replies ``context`` (the message replied to, forwarded flags), and, when Meta gave them,
``username`` (the customer's WhatsApp username) and ``bsuid`` (their business-scoped user
id): a customer without a shared phone number is greeted and handed off by those.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from helpdesk.customers import get_customer
from helpdesk.errors import GraphAPIError, MediaRejected
from helpdesk.media.intake import sniff
from helpdesk.media.messages import message as media_message
from helpdesk.media.records import find_media, save_media
from helpdesk.store import get_media_store
from helpdesk.whatsapp import identity, texts
from helpdesk.whatsapp.graph import GraphClient
from helpdesk.whatsapp.inbox import InboxItem
from helpdesk.whatsapp.outbound import Sender
from helpdesk.whatsapp.payloads import MEDIA_LIMITS
from helpdesk.whatsapp.records import record_reaction, resolve_choice
from helpdesk.whatsapp.writes import write_session

logger = logging.getLogger(__name__)

MEDIA_TYPES = ("image", "video", "document", "audio", "sticker")
MEDIA_INTENT = "/media_shared"


@dataclass
class Turn:
    text: str
    metadata: dict[str, Any] = field(default_factory=dict)
    # Which attempt at this inbox message (1: the first). A later one may find the dialogue
    # already took the message in before the previous attempt stopped.
    attempt: int = 1
    # What the worker's ``prepare`` found when it claimed the message (``InboxItem``).
    prepared: Any = None


Deliver = Callable[[str, Turn], Awaitable[None]]


class InboundProcessor:
    def __init__(
        self,
        client: GraphClient,
        sender: Sender,
        deliver: Deliver,
        *,
        url: str | None = None,
    ) -> None:
        self.client = client
        self.sender = sender
        self.deliver = deliver
        self.url = url

    async def __call__(self, item: InboxItem) -> None:
        receipt = None
        if item.attempts == 1 and item.type not in ("reaction", "system", "revoke"):
            # The read receipt (and typing indicator) goes out while the turn runs: waiting
            # for Meta's answer first added a whole round trip to every reply's latency.
            receipt = asyncio.get_running_loop().create_task(self._mark_read(item.wamid))
        try:
            turn = await self.to_turn(item)
            if turn is not None:
                turn.attempt = item.attempts
                turn.prepared = item.prepared
                await self.deliver(item.sender_id, turn)
        finally:
            if receipt is not None:
                await asyncio.shield(receipt)

    async def _mark_read(self, wamid: str) -> None:
        try:
            await self.client.mark_read(wamid, typing=True)
        except GraphAPIError as error:  # a missing read receipt is not worth a retry
            logger.info("mark-as-read failed for %s: %s", wamid, error)

    async def on_poison(self, item: InboxItem, error: BaseException) -> None:
        """The message failed for good: tell the customer, never leave them in silence."""
        key = "media_failed" if item.type in MEDIA_TYPES else "failed"
        await self.sender.text(item.sender_id, texts.text(key, await self._language(item)))

    async def _language(self, item: InboxItem) -> str | None:
        def read() -> str | None:
            with write_session(self.url) as session:
                customer = get_customer(session, sender_id=item.sender_id)
                return customer.language if customer else None

        try:
            return await asyncio.to_thread(read)
        except Exception:
            return None

    def _metadata(self, item: InboxItem) -> dict[str, Any]:
        message = item.message
        metadata: dict[str, Any] = {
            "wamid": item.wamid,
            "type": item.type,
            "timestamp": item.timestamp,
            "profile_name": item.profile_name,
        }
        username = identity.clean_username(item.username)
        if username:
            metadata["username"] = username
        bsuid = message.get("from_user_id") or item.sender_id
        if identity.is_bsuid(bsuid):
            metadata["bsuid"] = bsuid
        if message.get("context"):
            metadata["context"] = message["context"]
        if message.get("referral"):
            metadata["referral"] = message["referral"]
        return metadata

    async def to_turn(self, item: InboxItem) -> Turn | None:
        message = item.message
        kind = item.type
        metadata = self._metadata(item)
        if kind == "text":
            return Turn((message.get("text") or {}).get("body") or "", metadata)
        if kind in ("interactive", "button"):
            return await self._choice(item, metadata)
        if kind in MEDIA_TYPES:
            return await self._media(item, metadata)
        if kind == "location":
            metadata["location"] = message.get("location") or {}
            return Turn("/location_shared", metadata)
        if kind == "contacts":
            metadata["contacts"] = message.get("contacts") or []
            return Turn("/contacts_shared", metadata)
        if kind == "reaction":
            reaction = message.get("reaction") or {}
            await asyncio.to_thread(self._record_reaction, item, reaction)
            return None
        if kind == "edit":
            inner = (message.get("edit") or {}).get("message") or {}
            if inner.get("type") == "text":
                metadata["edited"] = (message.get("edit") or {}).get("original_message_id")
                return Turn((inner.get("text") or {}).get("body") or "", metadata)
            logger.info("Ignoring an edit of a %s message", inner.get("type"))
            return None
        if kind in ("system", "revoke"):
            logger.info("WhatsApp %s event for a customer: %s", kind, message.get(kind))
            return None
        # unsupported, order, and anything newer than this code: say what works instead.
        await self.sender.text(
            item.sender_id, texts.text("unsupported", await self._language(item))
        )
        return None

    def _record_reaction(self, item: InboxItem, reaction: dict[str, Any]) -> None:
        with write_session(self.url) as session:
            record_reaction(
                session,
                sender_id=item.sender_id,
                message_wamid=str(reaction.get("message_id") or ""),
                emoji=reaction.get("emoji"),
            )

    async def _choice(self, item: InboxItem, metadata: dict[str, Any]) -> Turn | None:
        message = item.message
        if item.type == "button":  # a template's quick-reply button
            button = message.get("button") or {}
            choice, title = button.get("payload"), button.get("text")
        else:
            interactive = message.get("interactive") or {}
            itype = interactive.get("type")
            if itype == "nfm_reply":
                reply = interactive.get("nfm_reply") or {}
                try:
                    metadata["flow_response"] = json.loads(reply.get("response_json") or "{}")
                except json.JSONDecodeError:
                    metadata["flow_response"] = reply.get("response_json")
                return Turn("/flow_completed", metadata)
            reply = interactive.get(itype) or {} if itype else {}
            choice, title = reply.get("id"), reply.get("title")
        if not choice and not title:
            await self.sender.text(
                item.sender_id, texts.text("unsupported", await self._language(item))
            )
            return None
        metadata["button_title"] = title

        def resolve() -> str:
            with write_session(self.url) as session:
                return resolve_choice(session, choice=str(choice))

        return Turn(await asyncio.to_thread(resolve) if choice else str(title), metadata)

    async def _media(self, item: InboxItem, metadata: dict[str, Any]) -> Turn | None:
        kind = item.type
        media = item.message.get(kind) or {}
        caption = media.get("caption")
        if kind == "audio" and media.get("voice"):
            metadata["voice"] = True
        limit = MEDIA_LIMITS[kind]
        # A retry of a message whose file was already downloaded uses the stored copy: the
        # media id may have expired since (Meta keeps it 7 days), and the file is ours now.
        stored = await asyncio.to_thread(self._stored, item, kind, media, caption)
        if stored is None:
            try:
                data, _info = await self.client.download_media(
                    str(media.get("id")), max_bytes=limit
                )
            except MediaRejected as rejected:
                if rejected.reason == "too_large":
                    await self.sender.text(
                        item.sender_id,
                        texts.text(
                            "too_large",
                            await self._language(item),
                            limit=limit // (1024 * 1024) or 1,
                        ),
                    )
                    return None
                raise
            except GraphAPIError as error:
                if not _media_gone(error):
                    raise
                # Never downloaded and no longer at Meta: no retry can get it; ask for it.
                logger.info(
                    "Media %s of %s is gone at Meta: %s", media.get("id"), item.wamid, error
                )
                await self.sender.text(
                    item.sender_id, texts.text("media_expired", await self._language(item))
                )
                return None
            try:
                stored = await asyncio.to_thread(self._store, item, kind, data, media, caption)
            except MediaRejected as rejected:  # e.g. location data that cannot be removed
                language = await self._language(item)
                await self.sender.text(
                    item.sender_id, media_message(rejected.reason, language or "en")
                )
                return None
        metadata["media"] = [stored]
        metadata["caption"] = caption
        # The caption is also the customer's words for this turn (e.g. "the screen cracked").
        metadata["text"] = caption
        return Turn(MEDIA_INTENT, metadata)

    def _stored(
        self, item: InboxItem, kind: str, media: dict[str, Any], caption: str | None
    ) -> dict[str, Any] | None:
        """The file of this media id when an earlier attempt stored it, else ``None``."""
        with write_session(self.url) as session:
            record = find_media(session, sender_id=item.sender_id, wa_media_id=str(media.get("id")))
            if record is None or not get_media_store().exists(record.sha256):
                return None
            return _described(record.id, kind, record, media, caption)

    def _store(
        self, item: InboxItem, kind: str, data: bytes, media: dict[str, Any], caption: str | None
    ) -> dict[str, Any]:
        sniffed = sniff(data)
        # WhatsApp's "sticker" is a webp image; the file's own bytes decide the kind.
        real_kind = sniffed.kind if sniffed else ("image" if kind == "sticker" else kind)
        mime = sniffed.mime if sniffed else (media.get("mime_type") or "application/octet-stream")
        stored = get_media_store().put(data, mime=mime)
        with write_session(self.url) as session:
            # A retry of this message (after a crash or a failed turn) finds the record the
            # first attempt made: one file, one record, no duplicates on the ticket.
            record = find_media(
                session, sender_id=item.sender_id, wa_media_id=str(media.get("id"))
            ) or save_media(
                session,
                sender_id=item.sender_id,
                sha256=stored.sha256,
                kind=real_kind,
                mime=mime,
                size=stored.size,
                source="whatsapp",
                caption=caption,
                wa_media_id=str(media.get("id")),
            )
            session.flush()
            return _described(getattr(record, "id", None), kind, record, media, caption)


def _described(
    record_id: int | None, kind: str, record: Any, media: dict[str, Any], caption: str | None
) -> dict[str, Any]:
    """The turn's description of a stored file (``record``: its media record)."""
    return {
        "id": record_id,
        "wa_media_id": str(media.get("id")),
        "kind": record.kind,
        "wa_type": kind,
        "mime": record.mime,
        "size": record.size,
        "sha256": record.sha256,
        "caption": caption,
        "filename": media.get("filename"),
    }


def _media_gone(error: GraphAPIError) -> bool:
    """Meta no longer has the media id (error 100: the object does not exist; Meta drops
    media ids 7 days after the webhook): no retry will bring it back."""
    return not error.retryable and (error.code == 100 or error.status in (404, 410))
