"""Defect 14: a retried media message (the first attempt's turn failed after the download)
does not create a second media record, so the ticket shows the file once; and a file whose
location data cannot be removed gets a clear answer instead of being stored (defect 10)."""

from __future__ import annotations

from sqlalchemy import func, select

from helpdesk.db import session_scope
from helpdesk.db.models import MediaRecord
from helpdesk.whatsapp.inbound import InboundProcessor
from helpdesk.whatsapp.inbox import InboxItem
from tests.helpdesk.capture.images import product_photo


def _item(attempts: int) -> InboxItem:
    message = {"from": "15550007777", "id": "wamid.photo", "type": "image",
               "image": {"id": "WA-MEDIA-1", "mime_type": "image/jpeg"}}  # fmt: skip
    return InboxItem(1, "wamid.photo", "15550007777", "image", 10, message, None, attempts)


def test_each_retry_of_a_download_reuses_the_first_record(database_url: str) -> None:
    processor = InboundProcessor(None, None, None, url=database_url)  # type: ignore[arg-type]
    photo = product_photo()
    first = processor._store(_item(1), "image", photo, {"id": "WA-MEDIA-1"}, None)
    again = processor._store(_item(2), "image", photo, {"id": "WA-MEDIA-1"}, None)
    third = processor._store(_item(3), "image", photo, {"id": "WA-MEDIA-1"}, None)
    assert first["id"] == again["id"] == third["id"]
    with session_scope(database_url) as session:
        assert session.execute(select(func.count()).select_from(MediaRecord)).scalar() == 1


class _Meta:
    """Meta's side of one media download (a test double for the Graph API only)."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    async def download_media(self, media_id: str, *, max_bytes: int) -> tuple[bytes, dict]:
        return self.data, {}


class _Outbox:
    def __init__(self) -> None:
        self.texts: list[str] = []

    async def text(self, recipient_id: str, text: str) -> list[str]:
        self.texts.append(text)
        return ["wamid.out"]


async def test_a_photo_whose_location_cannot_be_removed_is_refused_in_words(
    database_url: str,
) -> None:
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64
    outbox = _Outbox()
    processor = InboundProcessor(_Meta(heic), outbox, None, url=database_url)  # type: ignore[arg-type]
    assert await processor.to_turn(_item(1)) is None  # nothing reaches the dialogue
    assert outbox.texts == [
        "I couldn't safely remove the location data from this file: please send it as a "
        "normal photo or a screenshot instead."
    ]
    with session_scope(database_url) as session:
        assert session.execute(select(func.count()).select_from(MediaRecord)).scalar() == 0
