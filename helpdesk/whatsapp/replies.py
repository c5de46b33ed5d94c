"""What the bot said in one turn, sent to the customer through ``Sender``.

The bot's replies arrive as the message dicts Rasa hands to an output channel (``text``,
``buttons``/``quick_replies``, ``image``, ``custom``, ``attachment``, ``elements``): from
the Rasa channel itself (``channels.whatsapp.WhatsAppOutput`` delegates here), from Rasa's
answer to the inbox worker process (``helpdesk.worker``), or from a saved turn replayed
after a crash. ``Replies.send_response`` reads them as Rasa's ``OutputChannel`` does, with
WhatsApp's ways on top; with ``batch`` the turn's parts are collected and sent merged at
``flush`` (``compose``: fewer billed messages).
"""

from __future__ import annotations

from typing import Any

from helpdesk.whatsapp import compose
from helpdesk.whatsapp.compose import Part
from helpdesk.whatsapp.outbound import Sender

MAX_CAPTION = 1024  # Meta's limit for a media caption


class Replies:
    def __init__(self, sender: Sender, *, batch: bool = False) -> None:
        self.sender = sender
        self.batch = batch
        self.parts: dict[str, list[Part]] = {}

    def _add(self, recipient_id: str, part: Part) -> None:
        self.parts.setdefault(recipient_id, []).append(part)

    async def flush(self) -> None:
        parts, self.parts = self.parts, {}
        for recipient_id, turn in parts.items():
            await compose.send(self.sender, recipient_id, turn)

    async def send_all(self, recipient_id: str, messages: list[dict[str, Any]]) -> None:
        """One turn's replies, in order, then ``flush`` (also when one fails)."""
        try:
            for message in messages:
                await self.send_response(recipient_id, message)
        finally:
            await self.flush()

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """A text with a picture goes as one image with a caption (WhatsApp's way to show
        an example); with buttons, the picture goes first so the question comes last."""
        message = dict(message)  # read destructively below, as Rasa's dispatch does
        image, text = message.get("image"), message.get("text")
        if self.batch and image:
            # The picture first: merging makes it the caption's or the question's header.
            self._add(recipient_id, Part("media", media_kind="image", source=image))
            message.pop("image")
            await self._dispatch(recipient_id, message)
            return
        if image and text:
            rest = {key: value for key, value in message.items() if key != "image"}
            choices = message.get("buttons") or message.get("quick_replies")
            if not choices and len(text) <= MAX_CAPTION:
                await self.sender.media(recipient_id, "image", image, caption=text)
                rest.pop("text")
                if any(rest.get(key) for key in ("custom", "attachment", "elements")):
                    await self._dispatch(recipient_id, rest)
                return
            await self.sender.media(recipient_id, "image", image)
            await self._dispatch(recipient_id, rest)
            return
        await self._dispatch(recipient_id, message)

    async def _dispatch(self, recipient_id: str, message: dict[str, Any]) -> None:
        """Rasa's ``OutputChannel.send_response``: each kind of content in its order."""
        if message.get("quick_replies"):
            await self.choices(recipient_id, message.get("text") or "", message["quick_replies"])
        elif message.get("buttons"):
            await self.choices(recipient_id, message.get("text") or "", message["buttons"])
        elif message.get("text"):
            await self.text(recipient_id, message["text"])
        if message.get("custom"):
            await self.custom(recipient_id, message["custom"])
        if message.get("image"):
            await self.image(recipient_id, message["image"])
        if message.get("attachment"):
            await self.attachment(recipient_id, message["attachment"])
        for element in message.get("elements") or ():
            title = f"{element.get('title', '')} : {element.get('subtitle', '')}"
            buttons = element.get("buttons") or []
            if buttons:
                await self.choices(recipient_id, title, buttons)
            else:
                await self.text(recipient_id, title)

    async def text(self, recipient_id: str, text: str) -> None:
        if self.batch:
            return self._add(recipient_id, Part("text", text=text))
        await self.sender.text(recipient_id, text)

    async def choices(self, recipient_id: str, text: str, buttons: list[dict[str, Any]]) -> None:
        if self.batch:
            return self._add(recipient_id, Part("choices", text=text, buttons=buttons))
        await self.sender.choices(recipient_id, text, buttons)

    async def image(self, recipient_id: str, image: str) -> None:
        if self.batch:
            return self._add(recipient_id, Part("media", media_kind="image", source=image))
        await self.sender.media(recipient_id, "image", image)

    async def attachment(self, recipient_id: str, attachment: Any) -> None:
        if self.batch:
            await self.flush()  # attachments keep their own message, after what came before
        if isinstance(attachment, dict):
            kind = attachment.get("type") or "document"
            source = attachment.get("url") or attachment.get("link") or attachment.get("path")
            await self.sender.media(recipient_id, kind, source, caption=attachment.get("caption"))
        else:
            await self.sender.media(recipient_id, "document", str(attachment))

    async def custom(self, recipient_id: str, data: dict[str, Any]) -> None:
        if self.batch:
            return self._add(recipient_id, Part("custom", data=data))
        await self.sender.custom(recipient_id, data)
