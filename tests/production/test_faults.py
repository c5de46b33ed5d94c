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

import os
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from helpdesk.worker import RasaTurns
from tests.production.stack import ProductionStack

GREETING = "hola, buenas"
CUSTOMERS = 24  # per load
RATE = 4.0  # messages per second, open loop
RECOVERY = 90.0  # seconds after the fault by which everyone must be answered


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProductionStack]:
    folder = tmp_path_factory.mktemp("production")
    # HELPDESK_TEST_BASE_PORT: where the stack's ports start (several people on one machine).
    base_port = int(os.environ.get("HELPDESK_TEST_BASE_PORT", "25100"))
    with ProductionStack(folder, replicas=2, base_port=base_port) as running:
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
    # The turn ran its actions (language detection) through nginx on an action server.
    statuses = stack.action_statuses()
    assert statuses and set(statuses) == {"200"}, f"action calls failed: {statuses}"
    return len(replies)


@pytest.fixture(scope="module")
def replies_to_a_greeting(stack: ProductionStack) -> int:
    """The baseline's reply count alone, for the tests about replays (whatever the action
    calls answered: the model in use may predate an action's removal)."""
    customer = "34699000001"
    stack.say(customer, GREETING)
    _wait_for(lambda: _outbound(stack, customer), timeout=120, what="a first reply")
    time.sleep(3)  # the rest of the turn, if it has several messages
    return len(_outbound(stack, customer))


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

    def rows() -> list:
        return stack.sql(
            "SELECT sender_id, status FROM whatsapp_inbox WHERE sender_id LIKE :prefix",
            prefix=customers[0][:-4] + "%",
        )

    assert sorted(s for s, _ in rows()) == sorted(customers), "an inbound message was lost"
    # A message whose replies all went out just before the crash is finished (without
    # sending anything again) once its lease runs out: wait for that too.
    _wait_for(
        lambda: {status for _, status in rows()} == {"done"}, timeout=60, what="every row done"
    )
    time.sleep(3)
    counts = {c: len(_outbound(stack, c)) for c in customers}
    assert all(n == expected for n in counts.values()), f"answered twice after the replay: {counts}"


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


def test_killing_a_rasa_replica_loses_and_repeats_nothing(
    stack: ProductionStack, replies_per_greeting: int
) -> None:
    """During a load, the replica that is running a customer's turn right now is killed
    (the inbox worker sends each customer's turns to one replica: found from the inbox row
    being processed that has no reply yet). The worker's request fails, the message is
    tried again on the other replica and answered: once."""
    prefix = "3461003"
    state: dict[str, object] = {}
    replicas = sorted(n for n in stack.processes if n.startswith("rasa-"))
    turns = RasaTurns(None, urls=replicas, token="")  # type: ignore[arg-type]

    def kill_a_replica_mid_turn() -> None:
        def in_turn() -> object:
            rows = stack.sql(
                "SELECT i.sender_id FROM whatsapp_inbox i WHERE i.status = 'processing' "
                "AND i.sender_id LIKE :p AND NOT EXISTS "
                "(SELECT 1 FROM whatsapp_outbound o WHERE o.reply_to = i.wamid)",
                p=prefix + "%",
            )
            return rows and rows[0][0]

        customer = _wait_for(in_turn, timeout=60, what="a turn in progress", every=0.02)
        name = turns.replicas_for(str(customer))[0]  # the replica running that customer's turn
        state["killed"] = name
        stack.kill(name)

    customers, when = _load_with_fault(stack, prefix, kill_a_replica_mid_turn)
    assert str(state["killed"]).startswith("rasa-")
    _check_everyone_answered_once(stack, customers, replies_per_greeting, when)
    taken_over = stack.sql(
        "SELECT count(*) FROM whatsapp_inbox WHERE sender_id LIKE :p AND attempts > 1",
        p=prefix + "%",
    )[0][0]
    assert taken_over >= 1, "no message was in the killed replica's hands"


def test_killing_the_inbox_worker_loses_and_repeats_nothing(
    stack: ProductionStack, replies_per_greeting: int
) -> None:
    """``kill -9`` of the inbox worker process in the middle of a load, restarted at once as
    the supervisor or systemd does: the messages it held are taken again when their leases
    run out (30 s) and every customer is answered once."""
    _replicas_running(stack)
    customers, when = _load_with_fault(stack, "3461007", lambda: _restart(stack, "worker"))
    _check_everyone_answered_once(stack, customers, replies_per_greeting, when)


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


def _restart(stack: ProductionStack, name: str) -> None:
    """``kill -9`` of ``name``, started again at once (the supervisor's part)."""
    stack.kill(name)
    stack.start(name)


def _replicas_running(stack: ProductionStack) -> None:
    """Start again any Rasa replica an earlier test killed: the next fault needs a survivor."""
    for name in [n for n in stack.processes if n.startswith("rasa-")]:
        if not stack.alive(name):
            stack.start(name)


def _kill_the_sender_of_a_held_reply(stack: ProductionStack, prefix: str) -> str:
    """Wait for a reply of this load that stays reserved without a wamid (the sandbox's
    fault holds its request), then ``kill -9`` the process sending it (the inbox worker),
    started again at once as the supervisor or systemd does."""
    first_seen: dict[int, float] = {}

    def held() -> object:
        rows = stack.sql(
            "SELECT o.id, i.claimed_by FROM whatsapp_outbound o "
            "JOIN whatsapp_inbox i ON i.wamid = o.reply_to "
            "WHERE o.wamid IS NULL AND o.status = 'queued' AND i.status = 'processing' "
            "AND i.sender_id LIKE :p",
            p=prefix + "%",
        )
        now = time.monotonic()
        for row_id, owner in rows:
            if now - first_seen.setdefault(row_id, now) >= 2.0:  # not just in flight
                return owner
        return None

    owner = _wait_for(held, timeout=60, what="a reply held by the sandbox", every=0.1)
    pid = int(str(owner).rsplit(":", 1)[1])
    name = next(n for n, p in stack.processes.items() if p.popen and p.popen.pid == pid)
    _restart(stack, name)
    return name


def _kill_a_sender_during_load(
    stack: ProductionStack, prefix: str, kind: str, *, delay: float, replies: int
) -> list[str]:
    """Hold one reply at the sandbox (fault ``kind``), kill the replica sending it in the
    middle of a load, and check every customer of the load got the greeting's replies once."""
    _replicas_running(stack)
    killed: list[str] = []
    stack.fault("sends", kind, count=1, delay=delay)
    try:
        customers, when = _load_with_fault(
            stack, prefix, lambda: killed.append(_kill_the_sender_of_a_held_reply(stack, prefix))
        )
        _check_everyone_answered_once(stack, customers, replies, when)
    finally:
        for name in killed:
            if not stack.alive(name):
                stack.start(name)
    return customers


def test_a_reply_meta_accepted_before_its_replica_died_is_not_sent_again(
    stack: ProductionStack, replies_to_a_greeting: int
) -> None:
    """Meta accepts a reply (the customer has it) but its answer, and its status webhooks,
    come 45 s late; meanwhile the worker sending it is killed. The restarted worker takes the
    message over when the lease runs out (~30 s), finds the reply reserved but unconfirmed,
    and waits for the status naming it instead of sending it again."""
    _kill_a_sender_during_load(
        stack, "3461005", "accepted_late", delay=45, replies=replies_to_a_greeting
    )


def test_a_turn_saved_before_its_replica_died_is_not_run_again(
    stack: ProductionStack, replies_to_a_greeting: int
) -> None:
    """Rasa saved a customer's turn, then the worker died while sending the replies (the
    sandbox holds the request; nothing reaches the customer). The replay by the restarted
    worker gets that turn's replies from Rasa and sends them — once — without putting the
    message into the dialogue a second time."""
    prefix = "3461006"
    customers = _kill_a_sender_during_load(
        stack, prefix, "lost", delay=120, replies=replies_to_a_greeting
    )
    turns = dict(
        stack.tracker_sql(
            "SELECT sender_id, count(*) FROM events WHERE type_name = 'user' "
            "AND sender_id LIKE :p GROUP BY sender_id",
            p=prefix + "%",
        )
    )
    assert turns == dict.fromkeys(customers, 1), f"a message went into Rasa twice: {turns}"
