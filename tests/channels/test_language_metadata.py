"""The channel records the customer and decides each turn's language before Rasa sees the
message (real channel, real sandbox, the echo bot recording what Rasa would receive): short
replies keep the language, a clear sentence switches it, and the customer row follows."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from helpdesk.customers import get_customer
from helpdesk.db import session_scope
from tests.support.whatsapp import WhatsAppStack

CUSTOMER = "15550007733"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WhatsAppStack]:
    with WhatsAppStack(tmp_path_factory.mktemp("wa-language")) as running:
        yield running


def _languages(stack: WhatsAppStack, count: int) -> list[str | None]:
    turns = stack.wait_for(
        lambda: (
            (t := [t for t in stack.echo_turns() if t["sender"] == CUSTOMER])[count - 1 :] and t
        ),
        what=f"{count} turns",
    )
    return [t["meta"].get("language") for t in turns]


def test_each_turn_carries_the_customers_language(stack: WhatsAppStack) -> None:
    stack.say(CUSTOMER, text="me cobraron dos veces el mismo pedido")
    assert _languages(stack, 1) == ["es"]
    stack.say(CUSTOMER, text="ok")  # too short to say anything: stays Spanish
    assert _languages(stack, 2) == ["es", "es"]
    stack.say(CUSTOMER, text="sorry, I was charged twice for the same order")
    assert _languages(stack, 3) == ["es", "es", "en"]
    with session_scope(stack.database_url) as session:
        assert get_customer(session, sender_id=CUSTOMER).language == "en"
