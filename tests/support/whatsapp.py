"""WhatsApp test helpers: signed webhook posts, Meta's fixture bodies, real media bytes,
and ``WhatsAppStack`` — the local sandbox plus a bot process wired to each other.

    from tests.support.whatsapp import WhatsAppStack, pywa_fixtures, signed_post, media_bytes

    with WhatsAppStack(tmp_path, bot="echo") as stack:    # or bot=["rasa", "run", ...]
        stack.say("15551234567", text="hello")             # customer API
        stack.wait_for_reply("15551234567", lambda m: ...)  # polls the conversation
        stack.post_webhook(body)                            # signed with the app secret
        stack.fault("messages", "500", count=2)             # sandbox fault injection

    with agent_console(stack, monkeypatch, username="alice") as console:  # an agent
        ticket = console.ticket_of("15551234567")           # signed in to the console
        console.reply(ticket["id"], "Hi, I'm Alice.")       # sent on WhatsApp
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx

from helpdesk.console.agents import add_agent
from helpdesk.console.app import ConsoleConfig, create_app
from helpdesk.db import session_scope
from helpdesk.settings import get_settings
from tests.support.servers import PROJECT_ROOT, Process, free_port, serve_app
from tests.support.webhooks import signed_post

# Real webhook bodies from pywa's test suite (MIT), copied into the repository so that a
# fresh clone tests against them (tests/data/whatsapp/pywa/SOURCE.md says where from).
FIXTURES = PROJECT_ROOT / "tests" / "data" / "whatsapp" / "pywa"
SECRETS = {
    "WHATSAPP_ACCESS_TOKEN": "test-access-token",
    "WHATSAPP_APP_SECRET": "test-app-secret",
    "WHATSAPP_VERIFY_TOKEN": "test-verify-token",
    "WHATSAPP_PHONE_NUMBER_ID": "100000000000001",
}


def pywa_fixtures() -> list[tuple[str, dict[str, Any]]]:
    """Every webhook body in the pywa fixtures as ``("file:key", body)``."""
    bodies = []
    for path in sorted(FIXTURES.glob("*.json")):
        for key, body in json.loads(path.read_text(encoding="utf-8")).items():
            bodies.append((f"{path.stem}:{key}", body))
    if not bodies:
        raise FileNotFoundError(f"no pywa webhook fixtures in {FIXTURES}")
    return bodies


def retarget(body: dict[str, Any], *, phone_number_id: str, suffix: str) -> dict[str, Any]:
    """A copy addressed to our number, with fresh message ids and current timestamps
    (the fixtures reuse ids across bodies, and a 2023 timestamp is outside the window)."""
    body = copy.deepcopy(body)
    now = str(int(time.time()))
    for entry in body["entry"]:
        for change in entry["changes"]:
            value = change["value"]
            value["metadata"]["phone_number_id"] = phone_number_id
            for message in value.get("messages", []):
                message["id"] = f"{message['id']}.{suffix}"
                message["timestamp"] = now
    return body


def media_bytes(kind: str) -> tuple[bytes, str]:
    """Real, small files of each WhatsApp media type: (bytes, mime)."""
    from PIL import Image

    if kind in ("image", "sticker"):
        buffer = io.BytesIO()
        image = Image.new("RGB", (64, 48), (200, 30, 30))
        fmt, mime = ("WEBP", "image/webp") if kind == "sticker" else ("JPEG", "image/jpeg")
        image.save(buffer, fmt)
        return buffer.getvalue(), mime
    if kind == "document":
        return _PDF, "application/pdf"
    with tempfile.TemporaryDirectory() as folder:
        if kind == "video":
            out, args, mime = (
                Path(folder) / "v.mp4",
                ["-f", "lavfi", "-i", "color=c=blue:s=64x64:d=0.4", "-pix_fmt", "yuv420p"],
                "video/mp4",
            )
        else:
            out, args, mime = (
                Path(folder) / "a.ogg",
                ["-f", "lavfi", "-i", "sine=d=0.4", "-c:a", "libopus"],
                "audio/ogg",
            )
        subprocess.run(
            ["ffmpeg", "-loglevel", "error", "-y", *args, str(out)], check=True, timeout=60
        )
        return out.read_bytes(), mime


_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


class WhatsAppStack:
    """The sandbox (in a thread) and a bot (a process) that talk to each other.

    ``bot="echo"`` runs ``tests/support/echo_bot.py`` (the real channel, scripted agent);
    a list is run as a command line with ``{port}`` replaced. ``env`` adds settings.
    """

    def __init__(
        self,
        folder: Path,
        *,
        bot: str | list[str] = "echo",
        env: dict[str, str] | None = None,
        bot_timeout: float = 60.0,
    ) -> None:
        from helpdesk.sandbox.app import SandboxConfig

        self.folder = Path(folder)
        self.bot_port = free_port()
        self.sandbox_port = free_port()
        self.sandbox_url = f"http://127.0.0.1:{self.sandbox_port}"
        self.webhook_url = f"http://127.0.0.1:{self.bot_port}/webhooks/whatsapp/webhook"
        self.database_url = f"sqlite:///{self.folder}/bot.db"
        self.echo_log = self.folder / "echo.jsonl"
        self.env = {
            **SECRETS,
            "WHATSAPP_GRAPH_URL": self.sandbox_url,
            "HELPDESK_DATABASE_URL": self.database_url,
            "HELPDESK_TRACKER_STORE_URL": f"sqlite:///{self.folder}/tracker.db",
            "HELPDESK_MEDIA_STORE": f"file:{self.folder}/media",
            "HELPDESK_SANDBOX_WEBHOOK_URL": self.webhook_url,
            "ECHO_LOG": str(self.echo_log),
            "ECHO_BACKOFF": "0.2",
            "ECHO_ATTEMPTS": "2",
            "ECHO_GRAPH_BACKOFF": "0.05",
            **(env or {}),
        }
        self.sandbox_config = SandboxConfig(
            access_token=SECRETS["WHATSAPP_ACCESS_TOKEN"],
            app_secret=SECRETS["WHATSAPP_APP_SECRET"],
            phone_number_id=SECRETS["WHATSAPP_PHONE_NUMBER_ID"],
            webhook_url=self.webhook_url,
            status_delay=0.05,
        )
        argv = (
            [sys.executable, str(PROJECT_ROOT / "tests/support/echo_bot.py"), "{port}"]
            if bot == "echo"
            else bot
        )
        self.bot = Process(
            [a.replace("{port}", str(self.bot_port)) for a in argv],
            port=self.bot_port,
            path="/",
            env=self.env,
            timeout=bot_timeout,
        )
        self._sandbox_cm: Any = None

    def __enter__(self) -> WhatsAppStack:
        from helpdesk.sandbox.app import create_app

        self.app = create_app(self.sandbox_config)
        self._sandbox_cm = serve_app(self.app, port=self.sandbox_port, path="/sandbox/health")
        self._sandbox_cm.__enter__()
        try:
            self.bot.start()
        except BaseException:
            self._sandbox_cm.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc: Any) -> None:
        self.bot.stop()
        self._sandbox_cm.__exit__(*exc)

    # --- acting ---

    def say(self, wa_id: str, **body: Any) -> dict[str, Any]:
        """Customer API: send JSON (text=…, button_reply=…) and return the answer."""
        answer = httpx.post(
            f"{self.sandbox_url}/sandbox/customers/{wa_id}/messages", json=body, timeout=15
        )
        answer.raise_for_status()
        return answer.json()

    def send_file(
        self, wa_id: str, data: bytes, mime: str, name: str, caption: str | None = None
    ) -> dict[str, Any]:
        answer = httpx.post(
            f"{self.sandbox_url}/sandbox/customers/{wa_id}/messages",
            files={"file": (name, data, mime)},
            data={"caption": caption} if caption else {},
            timeout=15,
        )
        answer.raise_for_status()
        return answer.json()

    def conversation(self, wa_id: str) -> list[dict[str, Any]]:
        answer = httpx.get(f"{self.sandbox_url}/sandbox/customers/{wa_id}/messages", timeout=10)
        return answer.json()["messages"]

    def replies(self, wa_id: str) -> list[dict[str, Any]]:
        return [m for m in self.conversation(wa_id) if m["direction"] == "outbound"]

    def reply_texts(self, wa_id: str) -> list[str]:
        texts = []
        for m in self.replies(wa_id):
            p = m["payload"]
            if p["type"] == "text":
                texts.append(p["text"]["body"])
            elif p["type"] == "interactive":
                texts.append(p["interactive"]["body"]["text"])
        return texts

    def everything(self, wa_id: str) -> str:
        """All the customer read: texts, interactive bodies and picture captions."""
        captions = [
            r["payload"]["image"].get("caption", "")
            for r in self.replies(wa_id)
            if r["payload"]["type"] == "image"
        ]
        return "\n".join([*self.reply_texts(wa_id), *captions])

    def button_id(self, wa_id: str, title: str) -> str | None:
        """The id of the latest reply button titled ``title`` the bot sent, if any."""
        for reply in reversed(self.replies(wa_id)):
            interactive = reply["payload"].get("interactive") or {}
            for button in (interactive.get("action") or {}).get("buttons", []):
                if button["reply"]["title"] == title:
                    return button["reply"]["id"]
        return None

    def wait_for_text(self, wa_id: str, needle: str, *, timeout: float = 90.0) -> str:
        """Wait until the customer has read ``needle``; returns all they read."""
        return self.wait_for(
            lambda: needle in self.everything(wa_id) and self.everything(wa_id),
            timeout=timeout,
            what=repr(needle),
        )

    def tap(self, wa_id: str, title: str, *, timeout: float = 90.0) -> None:
        """Wait for the reply button ``title`` and tap it."""
        button = self.wait_for(
            lambda: self.button_id(wa_id, title), timeout=timeout, what=f"button {title!r}"
        )
        self.say(wa_id, button_reply={"id": button})

    def wait_for(
        self, condition: Callable[[], Any], *, timeout: float = 20.0, what: str = "condition"
    ) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = condition()
            if value:
                return value
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}\n--- bot log ---\n{self.bot.log()}")

    def wait_for_replies(self, wa_id: str, count: int, *, timeout: float = 20.0) -> list[dict]:
        return self.wait_for(
            lambda: (r := self.replies(wa_id)) and len(r) >= count and r,
            timeout=timeout,
            what=f"{count} replies to {wa_id}",
        )

    def post_webhook(self, body: dict | bytes, **kwargs: Any) -> httpx.Response:
        return signed_post(self.webhook_url, body, SECRETS["WHATSAPP_APP_SECRET"], **kwargs)

    def fault(self, target: str, kind: str, *, count: int = 1, delay: float = 30.0) -> None:
        httpx.post(
            f"{self.sandbox_url}/sandbox/faults",
            json={"target": target, "kind": kind, "count": count, "delay": delay},
        ).raise_for_status()

    def upload(self, data: bytes, mime: str) -> str:
        """Put media into the sandbox as if a customer's phone had uploaded it."""
        return self.app.state.sandbox.add_media(data, mime).id

    def echo_turns(self) -> list[dict[str, Any]]:
        if not self.echo_log.exists():
            return []
        return [json.loads(line) for line in self.echo_log.read_text().splitlines() if line]

    def inbox_rows(self) -> list[Any]:
        from sqlalchemy import select

        from helpdesk.db import session_scope
        from helpdesk.db.models import InboxMessage

        with session_scope(self.database_url) as session:
            return list(session.execute(select(InboxMessage).order_by(InboxMessage.id)).scalars())


def iter_messages(body: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for entry in body["entry"]:
        for change in entry["changes"]:
            yield from change["value"].get("messages", [])


AGENT_PASSWORD = "correct horse battery staple"
# What the console in the test process needs to reach the product the stack started.
_PRODUCT_SETTINGS = (
    "WHATSAPP_ACCESS_TOKEN", "WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN",
    "WHATSAPP_PHONE_NUMBER_ID", "WHATSAPP_GRAPH_URL", "HELPDESK_DATABASE_URL",
    "HELPDESK_MEDIA_STORE",
)  # fmt: skip


class AgentConsole:
    """An agent signed in to a console on the stack's database (JSON API, bearer token)."""

    def __init__(self, url: str, auth: dict[str, str]) -> None:
        self.url, self.auth = url, auth

    def ticket_of(self, customer: str) -> dict[str, Any]:
        tickets = httpx.get(f"{self.url}/api/tickets", headers=self.auth).json()["tickets"]
        return next(t for t in tickets if t["customer"] == customer)

    def detail(self, ticket_id: int) -> dict[str, Any]:
        return httpx.get(f"{self.url}/api/tickets/{ticket_id}", headers=self.auth).json()

    def reply(self, ticket_id: int, text: str) -> None:
        answer = httpx.post(
            f"{self.url}/api/tickets/{ticket_id}/replies", json={"text": text}, headers=self.auth
        )
        assert answer.status_code == 201, answer.text


@contextlib.contextmanager
def agent_console(
    stack: WhatsAppStack, monkeypatch: Any, *, username: str
) -> Iterator[AgentConsole]:
    """A console for ``stack``'s product with the agent ``username`` signed in."""
    for name in _PRODUCT_SETTINGS:
        monkeypatch.setenv(name, stack.env[name])
    monkeypatch.setenv("HELPDESK_RASA_URL", f"http://127.0.0.1:{stack.bot_port}")
    get_settings.cache_clear()
    with session_scope(stack.database_url) as session:
        add_agent(session, username=username, password=AGENT_PASSWORD, role="agent")
    config = ConsoleConfig(session_secret="s" * 40, database_url=stack.database_url)
    with serve_app(create_app(config), path="/login") as url:
        login = {"username": username, "password": AGENT_PASSWORD}
        token = httpx.post(f"{url}/api/login", json=login).json()["token"]
        yield AgentConsole(url, {"Authorization": f"Bearer {token}"})
