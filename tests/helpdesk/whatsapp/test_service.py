"""The acknowledgement rules of ``WhatsAppService.receive`` (what Meta gets back)."""

from __future__ import annotations

import json
from pathlib import Path

from helpdesk.whatsapp.service import ChannelConfig, WhatsAppService
from helpdesk.whatsapp.signature import sign

BODY = {
    "entry": [
        {
            "changes": [
                {
                    "field": "messages",
                    "value": {
                        "metadata": {"phone_number_id": "P"},
                        "messages": [
                            {"from": "A", "id": "w1", "timestamp": "1", "type": "text",
                             "text": {"body": "hi"}}
                        ],
                    },
                }
            ]
        }
    ]
}  # fmt: skip


def _service(url: str) -> WhatsAppService:
    config = ChannelConfig(
        access_token="t",
        app_secret="secret",
        verify_token="v",
        phone_number_id="P",
        graph_url="http://127.0.0.1:9",
        database_url=url,
    )
    return WhatsAppService(config)


async def test_stored_then_acknowledged_and_a_redelivery_is_a_duplicate(database_url: str) -> None:
    service = _service(database_url)
    raw = json.dumps(BODY).encode()
    first = await service.receive(raw, sign("secret", raw))
    again = await service.receive(raw, sign("secret", raw))
    assert (first.status, first.stored, first.duplicates) == (200, 1, 0)
    assert (again.status, again.stored, again.duplicates) == (200, 0, 1)


async def test_a_database_that_cannot_store_gets_no_acknowledgement(tmp_path: Path) -> None:
    # Not migrated: the insert fails, so Meta must keep the message and retry later.
    service = _service(f"sqlite:///{tmp_path}/empty.db")
    raw = json.dumps(BODY).encode()
    assert (await service.receive(raw, sign("secret", raw))).status == 503


async def test_forged_and_malformed_bodies(database_url: str) -> None:
    service = _service(database_url)
    raw = json.dumps(BODY).encode()
    assert (await service.receive(raw, sign("other", raw))).status == 403
    assert (await service.receive(b"{}", sign("secret", b"{}"))).status == 400


def test_handshake() -> None:
    service = _service("sqlite://")
    ok = {"hub.mode": "subscribe", "hub.verify_token": "v", "hub.challenge": "42"}
    assert service.handshake(ok) == (200, "42")
    assert service.handshake({**ok, "hub.verify_token": "x"})[0] == 403
