"""The perimeter on the real Rasa and action servers: their APIs need their tokens, and
they listen on loopback (as `helpdesk run` starts them in development)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.e2e


def _listeners(port: int) -> set[str]:
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in Path(table).read_text().splitlines()[1:]:
            fields = row.split()
            address, hex_port = fields[1].rsplit(":", 1)
            if fields[3] == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


def test_rasa_api_refuses_a_tracker_or_execute_call_without_the_token(assistant) -> None:
    sender = "e2e-perimeter"
    assistant.say(sender, "my payment failed")
    tracker = f"{assistant.rasa_url}/conversations/{sender}/tracker"
    assert httpx.get(tracker, timeout=30).status_code == 401
    assert httpx.get(tracker, params={"token": "guess"}, timeout=30).status_code == 401
    erase = {"name": "action_erase_my_data"}
    execute = f"{assistant.rasa_url}/conversations/{sender}/execute"
    assert httpx.post(execute, json=erase, timeout=30).status_code == 401
    trigger = f"{assistant.rasa_url}/conversations/{sender}/trigger_intent"
    assert httpx.post(trigger, json={"name": "greet"}, timeout=30).status_code == 401
    model = f"{assistant.rasa_url}/model"
    assert httpx.put(model, json={"model_file": "/tmp/x.tar.gz"}, timeout=30).status_code == 401
    # The conversation is intact, and the token opens it.
    events = assistant.tracker(sender)["events"]
    assert any(e["event"] == "user" and e["text"] == "my payment failed" for e in events)


def test_action_server_refuses_a_call_that_is_not_from_rasa(assistant) -> None:
    call = {
        "next_action": "action_erase_my_data",
        "sender_id": "e2e-victim",
        "tracker": {"sender_id": "e2e-victim", "slots": {}, "events": [], "latest_message": {}},
        "domain": {},
        "version": "3.6.21",
    }
    webhook = f"{assistant.action_url}/webhook"
    refused = httpx.post(webhook, json=call, timeout=30)
    assert refused.status_code == 403
    assert "answers only the Rasa server" in refused.json()["error"]
    assert httpx.post(webhook, params={"token": "guess"}, json=call).status_code == 403
    assert httpx.get(f"{assistant.action_url}/actions").status_code == 403
    assert httpx.get(f"{assistant.action_url}/health").status_code == 200
    # Rasa's own calls carry the token: a turn that runs custom actions still works.
    replies = assistant.say("e2e-perimeter-turn", "mi pago falló")
    assert "captura de pantalla" in " ".join(reply.get("text", "") for reply in replies)


def test_rasa_and_the_action_server_listen_on_loopback_only(assistant) -> None:
    rasa_port = int(assistant.rasa_url.rsplit(":", 1)[1])
    action_port = int(assistant.action_url.rsplit(":", 1)[1])
    assert _listeners(rasa_port) == {"0100007F"}
    assert _listeners(action_port) == {"0100007F"}
