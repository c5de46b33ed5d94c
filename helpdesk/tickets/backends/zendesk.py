"""Zendesk Support REST API v2: the requester, uploads, the ticket and later comments.

- ``POST /api/v2/users/create_or_update`` — the customer as an end user with
  ``external_id="whatsapp:<id>"`` (found again on the next case);
- ``POST /api/v2/uploads?filename=…`` (raw bytes) → an upload token per file;
- ``POST /api/v2/tickets`` — subject, requester, priority, tags, and the summary as a
  private first comment carrying the uploads;
- ``PUT /api/v2/tickets/{id}`` with ``ticket.comment`` — each later customer message, as a
  public comment authored by the requester; with ``status: solved`` and a private comment
  when the case ends on our side (closed in the console, cancelled by the customer);
- erasure on request: ``DELETE /api/v2/tickets/{id}`` then ``DELETE
  /api/v2/deleted_tickets/{id}`` (gone for good, not in the deleted-tickets view), and
  ``DELETE /api/v2/users/{id}`` then ``DELETE /api/v2/deleted_users/{id}`` (Zendesk's
  permanent deletion for GDPR requests). A 404 means already gone.

Auth: HTTP Basic ``{email}/token:{api_token}``. Errors look like
``{"error": "RecordInvalid", "description": …, "details": {…}}``.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from helpdesk.tickets.backends.base import (
    Attachment,
    External,
    TicketBackend,
    TicketData,
)


class ZendeskBackend(TicketBackend):
    name = "Zendesk"

    def __init__(self, base_url: str, *, email: str, token: str, **options: Any) -> None:
        super().__init__(base_url, auth=(f"{email}/token", token), **options)

    def describe_error(self, response: httpx.Response) -> str:
        try:
            data = response.json()
        except ValueError:
            return response.text[:300]
        if isinstance(data.get("error"), dict):  # 404s: {"error": {"title", "message"}}
            return f"{data['error'].get('title')}: {data['error'].get('message')}"
        details = data.get("details")
        return " ".join(
            str(part)
            for part in (
                data.get("error"),
                data.get("description"),
                details and json.dumps(details),
            )
            if part
        )[:500]

    def _uploads(self, attachments: list[Attachment]) -> list[str]:
        tokens = []
        for item in attachments:
            answer = self.request(
                "POST",
                "/api/v2/uploads",
                expect=(201,),
                params={"filename": item.filename},
                content=item.data,
                headers={"Content-Type": item.mime},
            )
            tokens.append(answer["upload"]["token"])
        return tokens

    def create(self, ticket: TicketData, attachments: list[Attachment]) -> External:
        user = self.request(
            "POST",
            "/api/v2/users/create_or_update",
            expect=(200, 201),
            json={
                "user": {
                    "name": f"WhatsApp …{ticket.sender_id[-4:]}",
                    "external_id": f"whatsapp:{ticket.sender_id}",
                    "role": "end-user",
                    **({"phone": "+" + ticket.sender_id} if ticket.sender_id.isdigit() else {}),
                }
            },
        )["user"]
        answer = self.request(
            "POST",
            "/api/v2/tickets",
            expect=(201,),
            json={
                "ticket": {
                    "subject": ticket.subject,
                    "requester_id": user["id"],
                    "priority": ticket.priority,
                    "tags": ["whatsapp", ticket.use_case, ticket.queue],
                    "external_id": f"helpdesk-{ticket.id}",
                    "comment": {
                        "body": ticket.summary,
                        "public": False,
                        "uploads": self._uploads(attachments),
                    },
                }
            },
        )
        return External(ticket_id=str(answer["ticket"]["id"]), requester_id=str(user["id"]))

    def comment(self, external: External, text: str, attachments: list[Attachment]) -> None:
        comment: dict[str, Any] = {"body": text or "(attachment)", "public": True}
        if external.requester_id:
            comment["author_id"] = int(external.requester_id)
        if attachments:
            comment["uploads"] = self._uploads(attachments)
        self.request(
            "PUT",
            f"/api/v2/tickets/{external.ticket_id}",
            expect=(200,),
            json={"ticket": {"comment": comment}},
        )

    def note(self, external: External, text: str) -> None:
        # Private: the trigger that sends replies back fires on public comments only.
        self.request(
            "PUT",
            f"/api/v2/tickets/{external.ticket_id}",
            expect=(200,),
            json={"ticket": {"comment": {"body": text, "public": False}}},
        )

    def solve(self, external: External, note: str) -> None:
        # Zendesk assigns an unassigned ticket to the agent who solves it (our API user).
        self.request(
            "PUT",
            f"/api/v2/tickets/{external.ticket_id}",
            expect=(200,),
            json={"ticket": {"status": "solved", "comment": {"body": note, "public": False}}},
        )

    def erase(self, external: External) -> int:
        ticket, user = external.ticket_id, external.requester_id
        paths = [f"/api/v2/tickets/{ticket}", f"/api/v2/deleted_tickets/{ticket}"]
        if user:
            paths += [f"/api/v2/users/{user}", f"/api/v2/deleted_users/{user}"]
        return sum(int(self.delete(path)) for path in paths)
