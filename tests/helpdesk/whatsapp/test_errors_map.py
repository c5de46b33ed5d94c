"""Each of Meta's error codes leads to its own next step, checked against the sandbox
answering with that code: retry after a wait, the window template, or stop and tell the
agent (and never a plain-text copy of a message Meta refused for policy reasons)."""

from __future__ import annotations

from helpdesk.db import session_scope
from helpdesk.whatsapp.errors_map import NextStep, reaction_for
from helpdesk.whatsapp.outbound import Sender
from helpdesk.whatsapp.records import get_outbound
from tests.helpdesk.whatsapp.conftest import Stack, Told

BSUID = "US.55001122334455667788"


def _texts(stack: Stack) -> list[str]:
    return [(p.get("text") or {}).get("body") or p.get("type") for p in stack.sent(BSUID)]


def test_every_code_has_its_step() -> None:
    steps = {code: reaction_for(code).step for code in (130429, 131056, 131048, 131047)}
    assert steps == {
        130429: NextStep.RETRY,
        131056: NextStep.RETRY,
        131048: NextStep.RETRY,
        131047: NextStep.TEMPLATE,
    }
    assert reaction_for(131026).step == reaction_for(368).step == NextStep.STOP
    assert reaction_for("not a code").step == NextStep.NOTHING


async def test_throughput_and_pair_limits_are_retried_and_the_message_arrives(
    database_url: str, stack: Stack, sender: Sender, told: Told
) -> None:
    stack.say(database_url, BSUID)
    for code in (130429, 131056):
        stack.fault(code)
        [wamid] = await sender.text(BSUID, f"after {code}")
        assert wamid is not None
        assert _texts(stack)[-1] == f"after {code}"
    assert told == []


async def test_a_policy_block_stops_and_tells_the_agent(
    database_url: str, stack: Stack, sender: Sender, told: Told
) -> None:
    stack.say(database_url, BSUID)
    before = len(stack.sent(BSUID))
    stack.fault(368)
    sent = await sender.choices(BSUID, "Pick one", [{"title": "A", "payload": "/a"}])
    assert sent == [None]
    assert len(stack.sent(BSUID)) == before  # no plain-text copy was tried
    assert told and told[-1][0] == BSUID and "368" in told[-1][1]
    with session_scope(database_url) as session:
        assert get_outbound(session, recipient_id=BSUID)[-1].error_code == 368


async def test_outside_the_window_the_failed_message_becomes_the_template(
    database_url: str, stack: Stack, sender: Sender, told: Told
) -> None:
    stack.say(database_url, BSUID)
    stack.fault(131047)
    [wamid] = await sender.text(BSUID, "your repair is ready")
    await sender.resend(stack.failed_status(wamid))
    last = stack.sent(BSUID)[-1]
    assert last["type"] == "template" and last["template"]["name"] == "reopen_conversation"
    assert last["recipient"] == BSUID


async def test_undeliverable_stops_and_tells_the_agent(
    database_url: str, stack: Stack, sender: Sender, told: Told
) -> None:
    stack.say(database_url, BSUID)
    stack.fault(131026)
    [wamid] = await sender.text(BSUID, "hello?")
    before = len(stack.sent(BSUID))
    await sender.resend(stack.failed_status(wamid))
    assert len(stack.sent(BSUID)) == before  # nothing more is sent
    assert "131026" in told[-1][1]


async def test_spam_rate_limit_waits_resends_once_and_tells_the_agent(
    database_url: str, stack: Stack, sender: Sender, told: Told
) -> None:
    stack.say(database_url, BSUID)
    stack.fault(131048)
    [wamid] = await sender.text(BSUID, "step two: restart the phone")
    await sender.resend(stack.failed_status(wamid))
    assert _texts(stack)[-2:] == ["step two: restart the phone"] * 2
    assert "131048" in told[-1][1]
