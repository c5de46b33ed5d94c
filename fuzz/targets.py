"""What each fuzz target feeds untrusted bytes to, and the properties it checks.

Every target is a plain function ``target(data: bytes) -> None`` that raises only when a
property breaks (an exception other than the clean refusal, an HTTP 500, an analysis past
its budget), so the same functions run under atheris (``fuzz/run.py``, coverage-guided,
``make fuzz``), under pytest with seeded inputs (``tests/fuzz``), and on committed findings.

- ``webhook``: a body for ``helpdesk.whatsapp.webhook.parse`` and the inbox's
  ``service.store_events`` (an in-memory SQLite database): a refusal is ``MalformedWebhook`` (400),
  anything else escaping would be a 500;
- ``media``: bytes for intake and analysis (``sniff``, location stripping, ``analyze`` for
  a photo): analysis never raises and stays within the per-file budget; stripping either
  cleans or refuses with ``MediaRejected``;
- ``kb``: a knowledge file for ``helpdesk.kb.check``: problems are reported, never raised;
- ``console``: the console's untrusted inputs through its ASGI app: the Freshdesk webhook
  body (with the right secret), the sign-in form and JSON, and an agent's upload: never 500.
"""

from __future__ import annotations

import contextlib
import functools
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

BUDGET_SECONDS = 20.0

# The longest input libFuzzer builds for each target (``-max_len``). Small inputs keep every
# run fast enough for 100,000 of them; each is still past what the parser treats specially
# (a webhook body's batch, an image header with its metadata blocks, a knowledge entry).
MAX_LEN = {"webhook": 8192, "media": 8192, "kb": 4096, "console": 2048}


@functools.lru_cache(maxsize=1)
def _inbox_session_factory():  # type: ignore[no-untyped-def]
    from sqlalchemy import create_engine
    from sqlalchemy.orm import sessionmaker
    from sqlalchemy.pool import StaticPool

    from helpdesk.db.models import Base

    engine = create_engine(
        "sqlite://", future=True, poolclass=StaticPool, connect_args={"check_same_thread": False}
    )
    Base.metadata.create_all(engine)
    return sessionmaker(bind=engine, future=True)


def webhook(data: bytes) -> None:
    from helpdesk.db.models import InboxMessage
    from helpdesk.whatsapp import inbox, service
    from helpdesk.whatsapp.webhook import MalformedWebhook, parse

    try:
        events = parse(data, phone_number_id="1122334455667")
    except MalformedWebhook:
        return  # answered 400
    session = _inbox_session_factory()()
    try:
        service.store_events(session, events=events)
        for message in events.messages:
            item = inbox.InboxItem.from_row(
                InboxMessage(
                    id=1, wamid=message.wamid, sender_id=message.sender_id, type=message.type,
                    timestamp=message.timestamp, body=message.body_json(), attempts=1,
                )
            )  # fmt: skip
            part = item.message.get(item.type)
            # A contacts message carries a list (as Meta sends it); every other part an object.
            readable = list if item.type == "contacts" else dict
            assert part is None or isinstance(part, readable), (
                "a stored part the worker cannot read"
            )
        session.rollback()  # keep the database small: every input starts from empty
    finally:
        session.close()


def media(data: bytes) -> None:
    from helpdesk.errors import MediaRejected
    from helpdesk.media import analyze
    from helpdesk.media.intake import sniff
    from helpdesk.store.sanitize import strip_metadata

    found = sniff(data)
    if found is not None:
        try:
            strip_metadata(data, found.mime)
        except MediaRejected as refused:
            assert refused.reason in ("cannot_clean", "document_type")
    start = time.monotonic()
    result = analyze(data, purpose="photo")
    assert time.monotonic() - start < BUDGET_SECONDS, "analysis past its budget"
    assert result.accepted or result.reason, "a refusal without a reason"


@functools.lru_cache(maxsize=1)
def _kb_folder() -> Path:
    from tests.helpdesk.kb.kbfiles import CATEGORIES

    # One folder for the whole run (a fresh one per input cost more than the check itself);
    # every input overwrites the same topic file, so nothing accumulates.
    root = Path(tempfile.mkdtemp(prefix="helpdesk-fuzz-kb-")) / "knowledge"
    root.mkdir()
    (root / "categories.yml").write_text(CATEGORIES, encoding="utf-8")
    return root


def kb(data: bytes) -> None:
    from helpdesk.kb import check

    root = _kb_folder()
    (root / "topic.yml").write_bytes(data)
    _, problems = check(root)
    assert all(str(problem) for problem in problems)


SECRET = "fuzz-freshdesk-secret"


@functools.lru_cache(maxsize=1)
def _console_client():  # type: ignore[no-untyped-def]
    import asyncio

    import httpx

    from helpdesk import db
    from helpdesk.console.app import ConsoleConfig, create_app

    # In memory-backed /dev/shm when there is one: every sign-in attempt commits a row.
    shm = Path("/dev/shm")
    folder = Path(
        tempfile.mkdtemp(prefix="helpdesk-fuzz-console-", dir=shm if shm.is_dir() else None)
    )
    url = f"sqlite:///{folder}/helpdesk.db"
    db.upgrade(url)
    app = create_app(
        ConsoleConfig(session_secret="fuzz", database_url=url, freshdesk_webhook_secret=SECRET)
    )
    # The app called in process on one event loop for the whole run: Starlette's TestClient
    # starts a thread portal per request, which cost more than the request itself.
    loop = asyncio.new_event_loop()
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
        base_url="http://console.test",
    )
    return loop, client


def console(data: bytes) -> None:
    from helpdesk.console.service import checked_upload
    from helpdesk.errors import TicketingError

    loop, client = _console_client()

    async def send() -> list:  # type: ignore[type-arg]
        return [
            await client.post(
                "/webhooks/freshdesk",
                content=data,
                headers={"X-Helpdesk-Webhook-Secret": SECRET, "Content-Type": "application/json"},
            ),
            await client.post(
                "/api/login", content=data, headers={"Content-Type": "application/json"}
            ),
            await client.post(
                "/login",
                content=data,
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            ),
        ]

    answers = loop.run_until_complete(send())
    for answer in answers:
        assert answer.status_code < 500, (answer.request.url.path, answer.status_code)
    with contextlib.suppress(TicketingError):  # the agent is told the file is refused
        checked_upload(data, data[:40].decode("utf-8", "replace"))


TARGETS: dict[str, Callable[[bytes], None]] = {
    "webhook": webhook,
    "media": media,
    "kb": kb,
    "console": console,
}
