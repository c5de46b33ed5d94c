"""Defect 11: the bot's resume call must not put the Rasa token or the customer's number in
the log (httpx logs every request URL at INFO)."""

from __future__ import annotations

import logging

import pytest
from fastapi import FastAPI

from helpdesk.settings import get_settings
from helpdesk.tickets.relay import resume_bot
from tests.support.servers import serve_app

TOKEN = "rasa-secret-token-123"
NUMBER = "34600111222"


async def test_the_resume_call_logs_neither_token_nor_number(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    app = FastAPI()

    @app.post("/conversations/{sender_id}/trigger_intent")
    async def trigger(sender_id: str) -> dict:
        return {"ok": True}

    @app.get("/")
    async def health() -> dict:
        return {}

    with serve_app(app, path="/") as url:
        monkeypatch.setenv("HELPDESK_RASA_URL", url)
        monkeypatch.setenv("HELPDESK_RASA_TOKEN", TOKEN)
        get_settings.cache_clear()
        with caplog.at_level(logging.INFO):
            assert await resume_bot(NUMBER, outcome="closed")
        monkeypatch.setenv("HELPDESK_RASA_URL", "http://127.0.0.1:9")  # nobody listens
        get_settings.cache_clear()
        with caplog.at_level(logging.INFO):
            assert not await resume_bot(NUMBER, outcome="closed")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "trigger_intent" in logged  # the requests are logged, safely
    assert TOKEN not in logged
    assert NUMBER not in logged
