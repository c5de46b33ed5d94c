"""Retention: `helpdesk purge [--dry-run]` and the daily purge delete what is older than its
window, per kind of data, and keep the evidence of a ticket that is not finished."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta, timezone

import pytest
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import select

from helpdesk import retention
from helpdesk.cli import main
from helpdesk.db import session_scope
from helpdesk.db.models import InboxMessage, MediaRecord, MediaView, Ticket
from helpdesk.db.models.base import utcnow
from helpdesk.settings import get_settings
from helpdesk.store import get_media_store
from helpdesk.tickets import core
from helpdesk.whatsapp.service import ChannelConfig
from rasa_addons.tracker_store import ErasableSQLTrackerStore
from tests.helpdesk.capture.images import product_photo

OLD = utcnow() - timedelta(days=800)  # older than every default window


def _media(sender: str, *, old: bool, seed: int) -> tuple[int, str]:
    stored = get_media_store().put(product_photo(seed=seed), mime="image/jpeg")
    with session_scope() as session:
        record = MediaRecord(sender_id=sender, sha256=stored.sha256, kind="image",
                             mime="image/jpeg", size=stored.size, source="whatsapp",
                             created_at=OLD if old else utcnow())  # fmt: skip
        session.add(record)
        session.flush()
        return record.id, stored.sha256


def _ticket(sender: str, *, status: str, media_ids: list[int]) -> int:
    with session_scope() as session:
        ticket = core.open_ticket(
            session, sender_id=sender, use_case="damaged_product", queue="returns",
            media_ids=media_ids,
        )  # fmt: skip
        ticket.status = status
        session.flush()
        ticket.updated_at = OLD
        return ticket.id


def _inbox(wamid: str, *, status: str, old: bool, type_: str = "text") -> None:
    when = OLD if old else utcnow()
    with session_scope() as session:
        session.add(InboxMessage(wamid=wamid, sender_id="A", phone_number_id="P", type=type_,
                                 timestamp=int(when.timestamp()), body=json.dumps({"t": "hi"}),
                                 status=status, received_at=when))  # fmt: skip


async def _conversation(sender: str) -> ErasableSQLTrackerStore:
    store = ErasableSQLTrackerStore(domain=None, host=get_settings().tracker_store_url)
    when = OLD.replace(tzinfo=timezone.utc).timestamp()
    events = [
        UserUttered("hola", intent={"name": "greet", "confidence": 1.0}, timestamp=when),
        ActionExecuted("action_listen", timestamp=when),
    ]
    await store.save(DialogueStateTracker.from_events(sender, events))
    return store


@pytest.fixture
async def aged(database_url: str) -> dict:
    old_media, old_hash = _media("15550000001", old=True, seed=1)
    evidence, evidence_hash = _media("15550000002", old=True, seed=2)
    fresh, _ = _media("15550000003", old=False, seed=3)
    finished = _ticket("15550000001", status="closed", media_ids=[old_media])
    unfinished = _ticket("15550000002", status="with_agent", media_ids=[evidence])
    _inbox("w-old-done", status="done", old=True)
    _inbox("w-old-pending", status="pending", old=True)
    _inbox("w-new-done", status="done", old=False)
    _inbox("w-tombstone", status="done", old=True, type_="erased")
    with session_scope() as session:
        session.add(MediaView(agent_name="ana", media_id=fresh, sender_id="15550000003",
                              viewed_at=OLD))  # fmt: skip
    store = await _conversation("15550000001")
    await _conversation("15550000002")  # has an unfinished ticket: kept
    return {"old_media": old_media, "old_hash": old_hash, "evidence": evidence,
            "evidence_hash": evidence_hash, "fresh": fresh, "finished": finished,
            "unfinished": unfinished, "tracker": store}  # fmt: skip


def _left() -> dict:
    with session_scope() as session:
        return {
            "media": set(session.execute(select(MediaRecord.id)).scalars()),
            "tickets": set(session.execute(select(Ticket.id)).scalars()),
            "inbox": set(session.execute(select(InboxMessage.wamid)).scalars()),
            "views": len(list(session.execute(select(MediaView.id)).scalars())),
        }


async def test_dry_run_counts_and_deletes_nothing(aged, capsys) -> None:
    before = _left()
    assert main(["purge", "--dry-run"]) == 0
    printed = capsys.readouterr().out
    assert _left() == before
    assert "media" in printed and "would delete" in printed and "Dry run" in printed


async def test_purge_deletes_what_aged_out_and_keeps_open_evidence(aged, capsys) -> None:
    dry = retention.purge(dry_run=True)
    assert main(["purge"]) == 0
    printed = capsys.readouterr().out
    left = _left()
    assert left["media"] == {aged["evidence"], aged["fresh"]}
    assert left["tickets"] == {aged["unfinished"]}
    assert left["inbox"] == {"w-old-pending", "w-new-done"}
    assert left["views"] == 0
    assert not get_media_store().exists(aged["old_hash"])
    assert get_media_store().exists(aged["evidence_hash"])  # the agent can still see it
    assert await aged["tracker"].retrieve("15550000001") is None
    assert await aged["tracker"].retrieve("15550000002") is not None
    assert dry.counts == {"tickets": 1, "inbox": 2, "media": 1, "audit": 1, "transcripts": 1}
    assert f"{dry.total} record(s) deleted" in printed
    # Once the ticket is finished and its window passed, its evidence goes too.
    with session_scope() as session:
        core.require_ticket(session, ticket_id=aged["unfinished"]).status = "resolved"
    assert retention.purge().counts["media"] == 1


async def test_the_running_channel_purges_daily(aged, database_url, monkeypatch) -> None:
    monkeypatch.setattr(retention, "DAY_SECONDS", 3600)
    real = retention.run_daily

    def soon(**kwargs):  # type: ignore[no-untyped-def]
        return real(**{**kwargs, "first_delay": 0.0})

    monkeypatch.setattr(retention, "run_daily", soon)
    config = ChannelConfig(access_token="t", app_secret="s", verify_token="v",
                           phone_number_id="P", graph_url="http://127.0.0.1:9",
                           database_url=database_url)  # fmt: skip
    # The channel Rasa loads wires the purge into its service (channels/whatsapp.py).
    from channels.whatsapp import WhatsAppInput

    service = WhatsAppInput(config, poll_interval=0.05).service

    async def deliver(sender_id, turn) -> None:  # type: ignore[no-untyped-def]
        return None

    service.start(deliver)
    for _ in range(200):
        if aged["old_media"] not in _left()["media"]:
            break
        await asyncio.sleep(0.05)
    await service.stop()
    assert aged["old_media"] not in _left()["media"]
