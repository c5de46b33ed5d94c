"""Faults in the middle of a load on the production topology (two replicas behind nginx on
real PostgreSQL, Redis and S3; the sandbox as Meta).

Each test sends a load of customers writing to the bot through the sandbox, breaks one
part of the topology while the load is running, and checks what the customers see:

- no message lost: every customer is answered, and every inbound row ends ``done``;
- none answered twice: each customer gets exactly as many replies as a customer who wrote
  the same text with nothing broken (counted on the sandbox, i.e. what Meta received);
- every customer answered once service resumes (within ``RECOVERY`` seconds).

Slow (the topology takes ~2 minutes to start on this machine): ``make test-production``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest

from tests.production.stack import ProductionStack

GREETING = "hola, buenas"
CUSTOMERS = 24  # per load
RATE = 4.0  # messages per second, open loop
RECOVERY = 90.0  # seconds after the fault by which everyone must be answered


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProductionStack]:
    folder = tmp_path_factory.mktemp("production")
    with ProductionStack(folder, replicas=2, base_port=25100) as running:
        yield running


@pytest.fixture(scope="module")
def replies_per_greeting(stack: ProductionStack) -> int:
    """How many messages one greeting gets when nothing is broken (the baseline)."""
    customer = "34699000000"
    stack.say(customer, GREETING)
    replies = _wait_for(lambda: _outbound(stack, customer), timeout=120, what="a first reply")
    time.sleep(3)  # the rest of the turn, if it has several messages
    replies = _outbound(stack, customer)
    assert replies, "the bot never answered the baseline greeting"
    return len(replies)


def _outbound(stack: ProductionStack, customer: str) -> list[dict]:
    return [m for m in stack.conversation(customer) if m["direction"] == "outbound"]


def _wait_for(
    condition: Callable[[], object], *, timeout: float, what: str, every: float = 0.5
) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


def _load_with_fault(
    stack: ProductionStack, prefix: str, fault: Callable[[], None]
) -> tuple[list[str], float]:
    """Send ``CUSTOMERS`` greetings open-loop; run ``fault`` after a third of them."""
    customers = [f"{prefix}{i:04d}" for i in range(CUSTOMERS)]
    faulted: list[float] = []

    def send() -> None:
        start = time.monotonic()
        for index, customer in enumerate(customers):
            time.sleep(max(0.0, start + index / RATE - time.monotonic()))
            stack.say(customer, GREETING)

    sender = threading.Thread(target=send)
    sender.start()
    time.sleep(CUSTOMERS / RATE / 3)
    fault()
    faulted.append(time.monotonic())
    sender.join()
    return customers, faulted[0]


def _check_everyone_answered_once(
    stack: ProductionStack, customers: list[str], expected: int, since: float
) -> None:
    def answered() -> bool:
        return all(len(_outbound(stack, c)) >= expected for c in customers)

    try:
        _wait_for(answered, timeout=RECOVERY - (time.monotonic() - since), what="every answer")
    except AssertionError:
        missing = [c for c in customers if len(_outbound(stack, c)) < expected]
        logs = "\n".join(f"--- {n}\n{stack.log(n)[-3000:]}" for n in stack.processes)
        raise AssertionError(
            f"{len(missing)} customers not answered within {RECOVERY}s: {missing}\n{logs}"
        ) from None
    time.sleep(5)  # a late duplicate would show up here
    counts = {c: len(_outbound(stack, c)) for c in customers}
    twice = {c: n for c, n in counts.items() if n != expected}
    assert not twice, f"answered more than once (expected {expected} replies each): {twice}"
    rows = stack.sql(
        "SELECT sender_id, status FROM whatsapp_inbox WHERE sender_id LIKE :prefix",
        prefix=customers[0][:-4] + "%",
    )
    assert sorted(s for s, _ in rows) == sorted(customers), "an inbound message was lost"
    assert {status for _, status in rows} == {"done"}, rows


def test_a_dropped_database_connection_loses_and_repeats_nothing(
    stack: ProductionStack, replies_per_greeting: int
) -> None:
    dropped: list[int] = []
    customers, when = _load_with_fault(
        stack, "3461001", lambda: dropped.append(stack.terminate_connections())
    )
    assert dropped[0] > 0, "no connection of the product was open to drop"
    _check_everyone_answered_once(stack, customers, replies_per_greeting, when)


def test_killing_an_action_server_loses_and_repeats_nothing(
    stack: ProductionStack, replies_per_greeting: int
) -> None:
    customers, when = _load_with_fault(stack, "3461002", lambda: stack.kill("actions-1"))
    try:
        _check_everyone_answered_once(stack, customers, replies_per_greeting, when)
    finally:
        stack.start("actions-1")


HANDOFF = "quiero hablar con una persona"  # an acknowledgement, then the case number


@pytest.fixture(scope="module")
def replies_per_handoff(stack: ProductionStack) -> int:
    """A request for a person gets several replies (the acknowledgement, then the case
    number after an action-server call): a turn a replica can die in the middle of."""
    customer = "34699000001"
    stack.say(customer, HANDOFF)
    _wait_for(lambda: len(_outbound(stack, customer)) >= 2, timeout=120, what="two replies")
    time.sleep(3)
    return len(_outbound(stack, customer))


def test_killing_a_rasa_replica_loses_and_repeats_nothing(
    stack: ProductionStack, replies_per_greeting: int, replies_per_handoff: int
) -> None:
    """During a load, one customer asks for a person; the replica running that turn is
    killed right after the first reply went out. The other replica finishes the turn
    after the lease: the customer gets the rest of the replies, none of them twice."""
    customer = "34610039999"
    state: dict[str, object] = {}

    def kill_mid_turn() -> None:
        stack.say(customer, HANDOFF)
        _wait_for(
            lambda: _outbound(stack, customer), timeout=60, what="the first reply", every=0.02
        )
        # Slow Meta down for a moment so the rest of the turn is still to come.
        stack.fault("messages", "timeout", count=6, delay=2.0)
        rows = stack.sql(
            "SELECT status, claimed_by FROM whatsapp_inbox WHERE sender_id = :s", s=customer
        )
        state["replies_at_kill"] = len(_outbound(stack, customer))
        state["row"] = rows
        pid = int(str(rows[0][1]).rsplit(":", 1)[1])
        name = next(n for n, p in stack.processes.items() if p.popen and p.popen.pid == pid)
        state["killed"] = name
        stack.kill(name)

    customers, when = _load_with_fault(stack, "3461003", kill_mid_turn)
    assert state["row"][0][0] == "processing", state
    assert state["replies_at_kill"] < replies_per_handoff, (
        f"the kill did not land mid-turn: {state}"
    )
    _check_everyone_answered_once(stack, customers, replies_per_greeting, when)
    _wait_for(
        lambda: len(_outbound(stack, customer)) >= replies_per_handoff,
        timeout=RECOVERY,
        what="the rest of the interrupted turn",
    )
    time.sleep(3)
    texts = [m["payload"] for m in _outbound(stack, customer)]
    assert len(texts) == replies_per_handoff, f"{state['killed']} killed; replies: {texts}"


def test_one_customer_is_served_in_order_across_replicas(stack: ProductionStack) -> None:
    """Five quick messages from one customer reach both replicas (nginx alternates); each
    turn's replies all come before the next message's: one turn at a time, in order."""
    customer = "34610040000"
    texts = ["hola", "mi pago falló", "me cobraron dos veces", "gracias", "adios"]
    for text in texts:
        stack.say(customer, text)
    inbound = [m["id"] for m in stack.conversation(customer) if m["direction"] == "inbound"]
    assert len(inbound) == len(texts)
    _wait_for(
        lambda: (
            stack.sql(
                "SELECT count(*) FROM whatsapp_inbox WHERE sender_id = :s AND status = 'done'",
                s=customer,
            )[0][0]
            == len(texts)
        ),
        timeout=120,
        what="all five messages processed",
    )
    answered = [
        reply_to
        for (reply_to,) in stack.sql(
            "SELECT reply_to FROM whatsapp_outbound WHERE recipient_id = :s ORDER BY id",
            s=customer,
        )
    ]
    order = [inbound.index(wamid) for wamid in answered]
    assert order == sorted(order), f"replies answered messages out of order: {order}"
    assert set(order) <= set(range(len(texts)))
