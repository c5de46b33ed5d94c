"""The console's test stack: the real sandbox (as the customer's WhatsApp), the real
WhatsApp channel receiving its webhooks into the inbox (so the 24-hour window is the real
one), a stand-in Rasa HTTP API recording ``trigger_intent`` calls, and the console, all on
localhost ports."""

from __future__ import annotations

import contextlib
import io
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request, Response
from PIL import Image, ImageDraw, ImageFont

from helpdesk.console.agents import add_agent
from helpdesk.console.app import ConsoleConfig, create_app
from helpdesk.db import session_scope
from helpdesk.media import analyze
from helpdesk.media.intake import sniff
from helpdesk.media.records import save_media
from helpdesk.sandbox.app import SandboxConfig
from helpdesk.sandbox.app import create_app as create_sandbox
from helpdesk.settings import get_settings
from helpdesk.store import get_media_store
from helpdesk.tickets.handoff import hand_off as run_hand_off
from helpdesk.whatsapp.service import ChannelConfig, WhatsAppService
from tests.support.servers import free_port, serve_app

TOKEN, SECRET, PHONE = "test-token", "test-app-secret", "100000000000001"
TEMPLATE = "reopen_chat"
SURVEY_TEMPLATE = "csat_survey"
# A template with body variables (tests point the catalogue at a file that lists it).
VARIABLE_TEMPLATE = "case_update"
ZENDESK_SECRET, FRESHDESK_SECRET = "zendesk-signing-secret", "freshdesk-shared-secret"
PASSWORD = "correct horse battery"


class Stack:
    def __init__(self, url: str, sandbox: str, rasa_calls: list[dict], database_url: str) -> None:
        self.url = url
        self.sandbox = sandbox
        self.rasa_calls = rasa_calls
        self.database_url = database_url

    # --- the customer, through the sandbox ---

    def say(
        self, wa_id: str, text: str, *, hours_ago: float = 0, username: str | None = None
    ) -> None:
        """``wa_id`` is a phone number, or a BSUID for a customer who shares none."""
        body: dict[str, Any] = {"text": text}
        if username:
            body["username"] = username
        if hours_ago:
            body["timestamp"] = int(time.time() - hours_ago * 3600)
        answer = httpx.post(f"{self.sandbox}/sandbox/customers/{wa_id}/messages", json=body)
        assert answer.status_code == 200, answer.text

    def received(self, wa_id: str) -> list[dict]:
        """What the customer's phone shows from the business (outbound messages)."""
        answer = httpx.get(f"{self.sandbox}/sandbox/customers/{wa_id}/messages")
        return [m for m in answer.json()["messages"] if m["direction"] == "outbound"]

    # --- agents ---

    def agent(self, name: str = "alice", role: str = "agent", password: str = PASSWORD) -> int:
        with session_scope(self.database_url) as session:
            return add_agent(session, username=name, password=password, role=role).id

    def token(self, name: str = "alice", password: str = PASSWORD) -> dict[str, str]:
        answer = httpx.post(f"{self.url}/api/login", json={"username": name, "password": password})
        assert answer.status_code == 200, answer.text
        return {"Authorization": f"Bearer {answer.json()['token']}"}

    def browser(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, follow_redirects=False, timeout=30)

    def sign_in(self, name: str = "alice", password: str = PASSWORD) -> httpx.Client:
        client = self.browser()
        answer = client.post(
            "/login",
            data={"username": name, "password": password, "csrf": csrf(client, "/login")},
        )
        assert answer.status_code == 303, answer.text
        return client


def csrf(client: httpx.Client, path: str) -> str:
    page = client.get(path)
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text[:500]
    return found.group(1)


def rasa_stand_in(calls: list[dict]) -> FastAPI:
    """Rasa's HTTP API endpoint the console calls to resume the bot (records the call)."""
    app = FastAPI()

    @app.post("/conversations/{conversation_id}/trigger_intent")
    async def trigger(conversation_id: str, request: Request) -> dict:
        call = {
            "conversation": conversation_id,
            "output_channel": request.query_params.get("output_channel"),
            **(await request.json()),
        }
        if "token" in request.query_params:
            call["token"] = request.query_params["token"]
        calls.append(call)
        return {"tracker": {"sender_id": conversation_id}, "messages": []}

    @app.get("/")
    async def root() -> dict:
        return {"version": "3.6.21"}

    return app


def channel_app() -> FastAPI:
    """The real WhatsApp channel's receiving side (signature check, inbox), no worker."""
    service = WhatsAppService(ChannelConfig.from_settings())
    app = FastAPI()

    @app.post("/hook")
    async def hook(request: Request) -> Response:
        ack = await service.receive(
            await request.body(), request.headers.get("X-Hub-Signature-256")
        )
        return Response(ack.text, status_code=ack.status)

    @app.get("/")
    async def root() -> dict:
        return {}

    return app


@pytest.fixture
def stack(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Stack]:
    for name, value in {
        "WHATSAPP_ACCESS_TOKEN": TOKEN,
        "WHATSAPP_APP_SECRET": SECRET,
        "WHATSAPP_VERIFY_TOKEN": "verify",
        "WHATSAPP_PHONE_NUMBER_ID": PHONE,
        "WHATSAPP_WINDOW_TEMPLATE": TEMPLATE,
        "WHATSAPP_SURVEY_TEMPLATE": SURVEY_TEMPLATE,
        "HELPDESK_SESSION_SECRET": "s" * 40,
        "HELPDESK_LOGIN_MAX_FAILURES": "3",
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    calls: list[dict] = []
    with contextlib.ExitStack() as servers:
        hook = servers.enter_context(serve_app(channel_app()))
        sandbox_config = SandboxConfig(
            access_token=TOKEN,
            app_secret=SECRET,
            phone_number_id=PHONE,
            webhook_url=hook + "/hook",
            templates={"hello_world", TEMPLATE, SURVEY_TEMPLATE, VARIABLE_TEMPLATE},
            template_parameters={VARIABLE_TEMPLATE: 3, "hello_world": 0},
            status_delay=0.01,
        )
        sandbox = servers.enter_context(
            serve_app(create_sandbox(sandbox_config), port=free_port(), path="/sandbox/health")
        )
        rasa = servers.enter_context(serve_app(rasa_stand_in(calls)))
        monkeypatch.setenv("WHATSAPP_GRAPH_URL", sandbox)
        monkeypatch.setenv("HELPDESK_RASA_URL", rasa)
        get_settings.cache_clear()
        config = ConsoleConfig(
            session_secret="s" * 40,
            database_url=database_url,
            zendesk_webhook_secret=ZENDESK_SECRET,
            freshdesk_webhook_secret=FRESHDESK_SECRET,
            metrics_token="metrics-token",
            graph_overrides={"retries": 1, "backoff": 0.05},
        )
        url = servers.enter_context(serve_app(create_app(config), path="/login"))
        yield Stack(url, sandbox, calls, database_url)


def label_photo(
    lines: tuple[str, ...] = ("ACME BLENDER", "MODEL: BX-200", "SERIAL NO: SN48213771"),
) -> bytes:
    """A generated JPEG of a product label (real text for real Tesseract)."""
    image = Image.new("RGB", (1200, 700), (236, 233, 226))
    draw = ImageDraw.Draw(image)
    path = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
    face = ImageFont.truetype(str(path), 56) if path.exists() else ImageFont.load_default(56)
    for i, line in enumerate(lines):
        draw.text((80, 90 + i * 110), line, fill=(25, 25, 30), font=face)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def store_customer_media(
    database_url: str, sender_id: str, data: bytes, *, purpose: str = "label", analyse: bool = True
) -> int:
    """Keep a customer's file as the channel does: encrypted store + record + analysis."""
    found = sniff(data)
    assert found is not None
    stored = get_media_store().put(data, mime=found.mime)
    analysis = analyze(data, purpose=purpose).to_dict() if analyse else None
    with session_scope(database_url) as session:
        return save_media(
            session,
            sender_id=sender_id,
            sha256=stored.sha256,
            kind=found.kind,
            mime=found.mime,
            size=stored.size,
            source="whatsapp",
            purpose=purpose,
            analysis=analysis,
        ).id


def hand_off(database_url: str, sender_id: str, **extra: Any) -> int:
    options: dict[str, Any] = {
        "sender_id": sender_id,
        "use_case": "damaged_product",
        "queue": "returns",
        "priority": "high",
        "summary": "The blender jar arrived cracked.",
        "transcript": [
            {"who": "customer", "text": "My blender arrived broken"},
            {"who": "bot", "text": "Please send a photo of the label."},
        ],
        "trigger": "customer_request",
    }
    options.update(extra)
    return run_hand_off(url=database_url, **options).ticket_id


@pytest.fixture
def wait_for() -> Callable[..., Any]:
    def wait(check: Callable[[], Any], timeout: float = 10.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = check()
            if value:
                return value
            time.sleep(0.05)
        raise AssertionError("condition not met in time")

    return wait
