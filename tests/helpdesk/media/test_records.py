"""Media records: saved with their analysis, listed per customer, erased on request."""

from __future__ import annotations

import base64

import pytest

from helpdesk.db import session_scope
from helpdesk.erasure import erase_customer
from helpdesk.media.records import list_media, save_media, set_analysis
from helpdesk.settings import get_settings
from helpdesk.store import get_media_store
from tests.support.blobs import png_blob


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HELPDESK_MEDIA_KEY", "k:" + base64.b64encode(b"k" * 32).decode())
    get_settings.cache_clear()


def _save(session, sender_id: str, data: bytes, **extra: object):  # type: ignore[no-untyped-def]
    # A real file: the store refuses bytes it cannot clean (defect 10, audio/documents).
    stored = get_media_store().put(png_blob(data), mime="image/png")
    return save_media(
        session,
        sender_id=sender_id,
        sha256=stored.sha256,
        kind="document",
        mime=stored.mime,
        size=stored.size,
        source="whatsapp",
        **extra,
    )


def test_media_is_listed_with_its_analysis(database_url: str) -> None:
    with session_scope() as session:
        first = _save(session, "34600000001", b"%PDF-1 one", caption="my receipt")
        _save(session, "34600000001", b"%PDF-1 two", wa_media_id="wamid.2", purpose="receipt")
        _save(session, "34600000002", b"%PDF-1 three")
        media_id = first.id
    with session_scope() as session:
        set_analysis(session, media_id=media_id, analysis={"accepted": True, "fields": []})
    with session_scope() as session:
        mine = list_media(session, sender_id="34600000001")
        assert [m.caption for m in mine] == ["my receipt", None]
        assert mine[0].analysis == {"accepted": True, "fields": []}
        assert mine[0].analysed_at is not None
        assert mine[1].purpose == "receipt" and mine[1].wa_media_id == "wamid.2"


def test_erasure_deletes_records_and_objects_nobody_else_uses(database_url: str) -> None:
    store = get_media_store()
    with session_scope() as session:
        shared = _save(session, "alice", b"%PDF-1 shared").sha256
        only_alice = _save(session, "alice", b"%PDF-1 private").sha256
        _save(session, "bob", b"%PDF-1 shared")

    report = erase_customer(sender_id="alice")
    assert report.deleted["helpdesk.media.records:erase"] == 2

    assert not store.exists(only_alice)
    assert store.get(shared) == png_blob(b"%PDF-1 shared")  # Bob still has it
    with session_scope() as session:
        assert list_media(session, sender_id="alice") == []
        assert len(list_media(session, sender_id="bob")) == 1
