"""The username and the BSUID reach the dialogue engine in the turn's metadata (real
channel, real sandbox, the echo bot recording what Rasa would receive)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.whatsapp import WhatsAppStack

BSUID = "US.13491208655302741918"
PHONE = "15550009911"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WhatsAppStack]:
    with WhatsAppStack(tmp_path_factory.mktemp("wa-username")) as running:
        yield running


def _turn(stack: WhatsAppStack, sender: str) -> dict:
    return stack.wait_for(
        lambda: next((t for t in stack.echo_turns() if t["sender"] == sender), None),
        what=f"a turn from {sender}",
    )


def test_username_only_customer_metadata(stack: WhatsAppStack) -> None:
    stack.say(BSUID, text="hello", username="@ana.b")
    meta = _turn(stack, BSUID)["meta"]
    assert meta["username"] == "@ana.b"
    assert meta["bsuid"] == BSUID


def test_phone_customer_has_no_username_in_metadata(stack: WhatsAppStack) -> None:
    stack.say(PHONE, text="hello")
    meta = _turn(stack, PHONE)["meta"]
    assert "username" not in meta
    assert meta["bsuid"].startswith("US.")  # Meta gives everyone a BSUID
