"""The JSON API as a FastAPI user expects it: its OpenAPI document and Swagger UI for
admins only, and a body that does not validate answered with the fields at fault."""

from __future__ import annotations

import httpx

from helpdesk.console.schemas import (
    MediaSummary,
    MessageLine,
    TicketDetail,
    TicketList,
    TicketSummary,
)
from tests.helpdesk.console.conftest import Stack, hand_off, label_photo, store_customer_media


def test_an_admin_reads_the_openapi_document_and_the_interactive_docs(stack: Stack) -> None:
    stack.agent("root", role="admin")
    admin = stack.sign_in("root")
    document = admin.get("/openapi.json")
    assert document.status_code == 200
    spec = document.json()
    assert {"/api/login", "/api/tickets", "/api/tickets/{ticket_id}/replies"} <= set(spec["paths"])
    assert not any(path in spec["paths"] for path in ("/", "/tickets/{ticket_id}", "/login"))
    detail = spec["components"]["schemas"]["TicketDetail"]["properties"]
    assert {"customer", "status", "messages", "media", "notes"} <= set(detail)
    reply = spec["paths"]["/api/tickets/{ticket_id}/replies"]["post"]
    assert "201" in reply["responses"] and "409" in reply["responses"]
    # A tool can fetch it with the admin's token as well.
    token = stack.token("root")
    assert httpx.get(f"{stack.url}/openapi.json", headers=token).json() == spec
    page = admin.get("/docs")
    assert page.status_code == 200 and "swagger-ui" in page.text
    # Swagger UI comes from the console itself (the CSP allows no other origin).
    script = admin.get("/static/swagger-ui/swagger-ui-bundle.js")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.text
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src" not in policy
    assert spec["openapi"].startswith("3.0.")  # what the bundled Swagger UI 4 reads


def test_agents_and_strangers_do_not_get_the_api_documentation(stack: Stack) -> None:
    stack.agent("bob")
    bob = stack.sign_in("bob")
    for path in ("/openapi.json", "/docs"):
        refused = bob.get(path)
        assert refused.status_code == 403, path
        assert refused.json()["error"] == "forbidden"
        assert httpx.get(f"{stack.url}{path}", headers=stack.token("bob")).status_code == 403
        forged = httpx.get(f"{stack.url}{path}", headers={"Authorization": "Bearer forged"})
        assert forged.status_code == 401
        anonymous = stack.browser().get(path)
        assert anonymous.status_code == 303
        assert anonymous.headers["location"] == f"/login?next={path}"


def test_a_body_that_does_not_validate_names_the_field_and_changes_nothing(stack: Stack) -> None:
    stack.agent()
    headers = stack.token()
    ticket = hand_off(stack.database_url, "15550001111")
    url = f"{stack.url}/api/tickets/{ticket}"
    cases = [
        ("replies", {"text": 5}, ["body", "text"]),
        ("replies", {"text": "   "}, ["body", "text"]),
        ("replies", {}, ["body", "text"]),
        ("notes", {"text": ["a"]}, ["body", "text"]),
        ("assign", {}, ["body", "agent"]),
        ("close", {"resolved": "maybe"}, ["body", "resolved"]),
    ]
    for action, body, location in cases:
        answer = httpx.post(f"{url}/{action}", json=body, headers=headers)
        assert answer.status_code == 400, (action, body, answer.text)
        problem = answer.json()
        assert problem["error"] == "invalid_request"
        assert location[1] in problem["message"] or action == "close", problem
        assert [e["loc"] for e in problem["detail"]] == [location], problem
    broken = httpx.post(f"{url}/replies", content=b"{not json", headers=headers)
    assert broken.status_code == 400 and broken.json()["detail"][0]["type"] == "json_invalid"
    listed = httpx.post(f"{url}/notes", json=["a list"], headers=headers)
    assert listed.status_code == 400
    # Nothing was sent, noted or closed.
    after = httpx.get(url, headers=headers).json()
    assert after["status"] == "waiting_for_agent" and after["notes"] == []
    assert [m["who"] for m in after["messages"]] == ["customer", "bot"]


def test_close_without_resolution_and_the_answer_fields(stack: Stack) -> None:
    stack.agent()
    headers = stack.token()
    ticket = hand_off(stack.database_url, "15550001111")
    closed = httpx.post(
        f"{stack.url}/api/tickets/{ticket}/close", json={"resolved": False}, headers=headers
    )
    assert closed.status_code == 200
    body = closed.json()
    assert body["status"] == "closed" and body["closed_at"].endswith("Z")
    assert body["bot_resumed"] is True
    # Closing again changes nothing, and there is no bot to resume: no bot_resumed field.
    again = httpx.post(f"{stack.url}/api/tickets/{ticket}/close", headers=headers).json()
    assert again["status"] == "closed" and "bot_resumed" not in again
    assert set(again) == set(body) - {"bot_resumed", "survey_template"}


def test_the_answers_match_their_documented_models(stack: Stack) -> None:
    """Answers are built without validation (speed): this keeps them to what /docs says."""
    stack.agent()
    headers = stack.token()
    photo = store_customer_media(stack.database_url, "15550001111", label_photo())
    ticket = hand_off(stack.database_url, "15550001111", media_ids=[photo])
    httpx.post(f"{stack.url}/api/tickets/{ticket}/notes", json={"text": "n"}, headers=headers)
    detail = httpx.get(f"{stack.url}/api/tickets/{ticket}", headers=headers).json()
    assert set(detail) == set(TicketDetail.__fields__)
    assert set(detail["media"][0]) == set(MediaSummary.__fields__)
    assert detail["media"][0]["fields"] and detail["media"][0]["ocr_text"]
    for line in detail["messages"] + detail["notes"]:
        assert set(line) == set(MessageLine.__fields__)
    TicketDetail.parse_obj(detail)  # every value has its declared type
    listed = httpx.get(f"{stack.url}/api/tickets", headers=headers).json()
    TicketList.parse_obj(listed)
    assert set(listed["tickets"][0]) == set(TicketSummary.__fields__)
    me = httpx.get(f"{stack.url}/api/me", headers=headers).json()
    assert me == {"id": 1, "username": "alice", "role": "agent"}
