"""Freshdesk REST API v2: the ticket (multipart with ``attachments[]``) and notes.

- ``POST /api/v2/tickets`` — ``name`` + ``phone`` identify the requester (Freshdesk creates
  the contact), ``subject``, ``description`` (HTML), ``status`` 2 (open), ``priority`` 1–4,
  ``source`` 7 (chat), ``tags[]``, and the media as ``attachments[]``;
- ``POST /api/v2/tickets/{id}/notes`` — each later customer message as a public note with
  ``incoming: true`` (shown as coming from outside) and the requester as ``user_id``;
- ``PUT /api/v2/tickets/{id}`` with ``status`` 4 (resolved), after a private note saying
  why, when the case ends on our side (closed in the console, cancelled by the customer);
- erasure on request: ``DELETE /api/v2/tickets/{id}`` (to trash), then ``DELETE
  /api/v2/contacts/{id}/hard_delete?force=true`` — the contact with every ticket and
  conversation of theirs, for good (Freshdesk's GDPR deletion). A 404 means already gone.

Auth: HTTP Basic ``{api_key}:X``. Errors look like ``{"description": "Validation failed",
"errors": [{"field", "message", "code"}]}``.
"""

from __future__ import annotations

import html
from typing import Any

import httpx

from helpdesk.tickets.backends.base import Attachment, External, TicketBackend, TicketData

PRIORITY = {"low": 1, "normal": 2, "high": 3, "urgent": 4}
STATUS_OPEN, STATUS_RESOLVED, SOURCE_CHAT = 2, 4, 7


def as_html(text: str) -> str:
    return "<br>".join(html.escape(line) for line in text.splitlines()) or "&nbsp;"


class FreshdeskBackend(TicketBackend):
    name = "Freshdesk"

    def __init__(self, base_url: str, *, api_key: str, **options: Any) -> None:
        super().__init__(base_url, auth=(api_key, "X"), **options)

    def describe_error(self, response: httpx.Response) -> str:
        try:
            data = response.json()
        except ValueError:
            return response.text[:300]
        parts = [str(data.get("description") or data.get("message") or data.get("code") or "")]
        for item in data.get("errors") or []:
            parts.append(f"{item.get('field')}: {item.get('message')} ({item.get('code')})")
        return "; ".join(p for p in parts if p)[:500]

    @staticmethod
    def _files(attachments: list[Attachment]) -> list[tuple[str, tuple[str, bytes, str]]]:
        return [("attachments[]", (a.filename, a.data, a.mime)) for a in attachments]

    def create(self, ticket: TicketData, attachments: list[Attachment]) -> External:
        fields: dict[str, Any] = {
            "name": f"WhatsApp …{ticket.sender_id[-4:]}",
            "phone": "+" + ticket.sender_id if ticket.sender_id.isdigit() else ticket.sender_id,
            "subject": ticket.subject,
            "description": as_html(ticket.summary),
            "status": STATUS_OPEN,
            "priority": PRIORITY.get(ticket.priority, 2),
            "source": SOURCE_CHAT,
        }
        tags = ["whatsapp", ticket.use_case, ticket.queue]
        if attachments:
            # httpx sends a list value as repeated form fields: tags[]=a&tags[]=b.
            data: dict[str, Any] = {k: str(v) for k, v in fields.items()}
            data["tags[]"] = tags
            answer = self.request(
                "POST",
                "/api/v2/tickets",
                expect=(201,),
                data=data,
                files=self._files(attachments),
            )
        else:
            answer = self.request(
                "POST", "/api/v2/tickets", expect=(201,), json={**fields, "tags": tags}
            )
        requester = answer.get("requester_id")
        return External(
            ticket_id=str(answer["id"]), requester_id=str(requester) if requester else None
        )

    def comment(self, external: External, text: str, attachments: list[Attachment]) -> None:
        fields: dict[str, Any] = {
            "body": as_html(text or "(attachment)"),
            "private": False,
            "incoming": True,
        }
        if external.requester_id:
            fields["user_id"] = int(external.requester_id)
        path = f"/api/v2/tickets/{external.ticket_id}/notes"
        if attachments:
            data = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in fields.items()}
            self.request("POST", path, expect=(201,), data=data, files=self._files(attachments))
        else:
            self.request("POST", path, expect=(201,), json=fields)

    def note(self, external: External, text: str) -> None:
        # Private: the automation that sends replies back fires on public replies only.
        self.request(
            "POST",
            f"/api/v2/tickets/{external.ticket_id}/notes",
            expect=(201,),
            json={"body": as_html(text), "private": True},
        )

    def solve(self, external: External, note: str) -> None:
        self.note(external, note)
        self.request(
            "PUT",
            f"/api/v2/tickets/{external.ticket_id}",
            expect=(200,),
            json={"status": STATUS_RESOLVED},
        )

    def erase(self, external: External) -> int:
        gone = int(self.delete(f"/api/v2/tickets/{external.ticket_id}"))
        if external.requester_id:
            path = f"/api/v2/contacts/{external.requester_id}/hard_delete"
            gone += int(self.delete(path, params={"force": "true"}))
        return gone
