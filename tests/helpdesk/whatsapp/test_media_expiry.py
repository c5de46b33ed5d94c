"""Media ids from webhooks live 7 days at Meta: a photo whose id expired before it was ever
downloaded gets the customer asked to send it again (once, no retry loop); one that was
already downloaded is used from the store, so a retry after the expiry loses nothing."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select

from helpdesk.db import session_scope
from helpdesk.db.models import MediaRecord
from helpdesk.whatsapp.inbound import InboundProcessor
from helpdesk.whatsapp.inbox import InboxItem
from helpdesk.whatsapp.outbound import Sender
from tests.helpdesk.capture.images import product_photo
from tests.helpdesk.whatsapp.conftest import Stack


def _item(customer: str, media_id: str, attempts: int = 1) -> InboxItem:
    message = {"from": customer, "id": f"wamid.{media_id}", "type": "image",
               "image": {"id": media_id, "mime_type": "image/jpeg"}}  # fmt: skip
    return InboxItem(1, f"wamid.{media_id}", customer, "image", 10, message, None, attempts)


def _texts(stack: Stack, customer: str) -> list[str]:
    answer = httpx.get(f"{stack.url}/sandbox/customers/{customer}/messages").json()
    return [m["payload"]["text"]["body"] for m in answer["messages"]
            if m["direction"] == "outbound" and m["payload"].get("type") == "text"]  # fmt: skip


def _expire(stack: Stack, media_id: str) -> None:
    assert httpx.post(f"{stack.url}/sandbox/media/{media_id}/expire").status_code == 200


async def test_an_expired_id_never_downloaded_asks_the_customer_to_send_it_again(
    stack: Stack, sender: Sender, database_url: str
) -> None:
    customer = "15550108801"
    stack.say(database_url, customer, text="here is the photo")
    media_id = await sender.client.upload_media(product_photo(), mime="image/jpeg")
    _expire(stack, media_id)
    processor = InboundProcessor(sender.client, sender, None, url=database_url)  # type: ignore[arg-type]
    assert await processor.to_turn(_item(customer, media_id)) is None  # done, not retried
    [said] = _texts(stack, customer)
    assert "no longer keeps it" in said and "send it again" in said


async def test_a_file_downloaded_before_its_id_expired_is_used_from_the_store(
    stack: Stack, sender: Sender, database_url: str
) -> None:
    customer = "15550108802"
    stack.say(database_url, customer, text="here is the photo")
    media_id = await sender.client.upload_media(product_photo(), mime="image/jpeg")
    processor = InboundProcessor(sender.client, sender, None, url=database_url)  # type: ignore[arg-type]
    first = await processor.to_turn(_item(customer, media_id))
    assert first is not None
    _expire(stack, media_id)  # the turn failed after the download; Meta forgets the id
    again = await processor.to_turn(_item(customer, media_id, attempts=2))
    assert again is not None
    assert again.metadata["media"][0]["id"] == first.metadata["media"][0]["id"]
    assert again.metadata["media"][0]["sha256"] == first.metadata["media"][0]["sha256"]
    assert _texts(stack, customer) == []  # nobody asked the customer for anything
    with session_scope(database_url) as session:
        assert session.execute(select(func.count()).select_from(MediaRecord)).scalar() == 1
