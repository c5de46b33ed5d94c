from __future__ import annotations

import pytest

from helpdesk.db import session_scope
from helpdesk.media.intake import sniff
from helpdesk.media.records import save_media
from helpdesk.store import get_media_store


@pytest.fixture
def received(database_url: str):  # type: ignore[no-untyped-def]
    """Store bytes as the WhatsApp channel does; returns the metadata item it would send."""

    def receive(data: bytes, *, sender_id: str = "15550001111", caption: str | None = None):
        sniffed = sniff(data)
        assert sniffed is not None
        stored = get_media_store().put(data, mime=sniffed.mime)
        with session_scope() as session:
            record = save_media(
                session,
                sender_id=sender_id,
                sha256=stored.sha256,
                kind=sniffed.kind,
                mime=sniffed.mime,
                size=stored.size,
                source="whatsapp",
                caption=caption,
            )
            media_id = record.id
        return {"id": media_id, "kind": sniffed.kind, "mime": sniffed.mime, "caption": caption}

    return receive
