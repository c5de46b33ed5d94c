"""Defect 15: validly signed but malformed webhooks never get a 500 (Meta would retry them
for days), and one bad message in a batch does not drop the good ones."""

from __future__ import annotations

import collections
import copy
import json

from sqlalchemy import select

from helpdesk.db import session_scope
from helpdesk.db.models import InboxMessage
from helpdesk.whatsapp.inbox import InboxItem
from helpdesk.whatsapp.service import ChannelConfig, WhatsAppService
from helpdesk.whatsapp.signature import sign
from tests.support.mutations import PHONE_NUMBER_ID, mutated_bodies, real_bodies

MUTATED = 3000


def _service(url: str) -> WhatsAppService:
    config = ChannelConfig(
        access_token="t",
        app_secret="secret",
        verify_token="v",
        phone_number_id=PHONE_NUMBER_ID,
        graph_url="http://127.0.0.1:9",
        database_url=url,
    )
    return WhatsAppService(config)


async def _status(service: WhatsAppService, raw: bytes) -> int:
    try:
        return (await service.receive(raw, sign("secret", raw))).status
    except Exception:  # what the web framework would answer for an escaped exception
        return 500


async def test_mutated_real_bodies_are_acknowledged_or_refused_never_500(database_url) -> None:
    service = _service(database_url)
    answers = collections.Counter()
    for raw in mutated_bodies(MUTATED, seed=15):
        answers[await _status(service, raw)] += 1
    print(f"{MUTATED} mutated bodies: {dict(answers)}")
    assert answers[500] == 0, answers
    assert set(answers) <= {200, 400}, answers  # 503 would also make Meta retry for days
    # Every stored message reads back as the worker reads it: its type's part is an object.
    with session_scope(database_url) as session:
        rows = list(session.execute(select(InboxMessage)).scalars())
    assert rows
    for row in rows:
        item = InboxItem.from_row(row)
        part = item.message.get(item.type)
        assert part is None or isinstance(part, dict), row.body


def _batch(*messages: object) -> bytes:
    body = copy.deepcopy(next(b for b in real_bodies() if "messages" in json.dumps(b)))
    value = body["entry"][0]["changes"][0]["value"]
    value["messages"] = list(messages)
    return json.dumps(body).encode()


async def test_one_bad_message_in_a_batch_does_not_drop_the_good_ones(database_url) -> None:
    good = {"from": "34600111222", "id": "wamid.good", "timestamp": "1697043223",
            "type": "text", "text": {"body": "my payment failed"}}  # fmt: skip
    bad = [
        "not a message",
        {**good, "id": "wamid.bad1", "text": "a string, not an object"},
        {**good, "id": {"nested": 1}},
        {**good, "id": "wamid.bad3", "timestamp": [1]},
        {**good, "id": "wamid.bad4", "type": 7, "7": 1},
    ]
    service = _service(database_url)
    raw = _batch(bad[0], good, *bad[1:])
    assert await _status(service, raw) == 200
    with session_scope(database_url) as session:
        stored = [row.wamid for row in session.execute(select(InboxMessage)).scalars()]
    assert "wamid.good" in stored
    assert "wamid.bad1" not in stored


def test_the_parser_carries_only_ids_shaped_like_a_number_or_a_bsuid() -> None:
    """One validator (identity's) in the parser: a phone, BSUID or parent BSUID that is not
    shaped like one never reaches the identity table or the sender's address."""
    from helpdesk.whatsapp.webhook import parse

    good = {"from": "34600111223", "id": "wamid.good2", "timestamp": "1697043223",
            "type": "text", "text": {"body": "hello"}, "from_parent_user_id": "US.ENT.9",
            "from_user_id": "US.13491208655302741918"}  # fmt: skip
    odd = {**good, "id": "wamid.odd", "from": "+34 600 111 224", "from_user_id": "../x",
           "from_parent_user_id": "' OR 1=1"}  # fmt: skip
    events = parse(_batch(good, odd), phone_number_id=PHONE_NUMBER_ID)
    who = {m.wamid: (m.phone, m.user_id, m.parent_user_id) for m in events.messages}
    assert who["wamid.good2"] == ("34600111223", "US.13491208655302741918", "US.ENT.9")
    assert who["wamid.odd"] == (None, None, None)
