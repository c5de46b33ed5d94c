"""The JSON API's request and response bodies (pydantic v1, as the locked FastAPI uses).

FastAPI validates requests against these and documents them in the OpenAPI document
(``/openapi.json``, ``/docs``, for admins). The field names are the public interface of
``/api/``: keep them. Timestamps are UTC ISO 8601 strings ending in ``Z``.

Answers are built from our own database rows by the ``of`` constructors with
``construct`` (no validation: it tripled the cost of a ticket's answer, measured with
bench/bench_console.py); tests/helpdesk/console/test_api_models.py checks them against
the declared fields.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel, Field, StrictBool, StrictStr, validator

from helpdesk.db.models import Agent, MediaRecord, Ticket, TicketMessage
from helpdesk.db.models.status import TicketStatus
from helpdesk.whatsapp.identity import Address, key_profile


def iso(value: datetime | None) -> str | None:
    """The database keeps naive UTC datetimes; the API says so with a ``Z``."""
    return value.isoformat() + "Z" if value is not None else None


# --- requests ----------------------------------------------------------------------------


class ApiRequest(BaseModel):
    # What the 400 answer tells a caller whose body did not validate.
    usage: ClassVar[str] = "send a JSON object"


class LoginRequest(ApiRequest):
    usage: ClassVar[str] = 'send {"username": "...", "password": "..."}'
    username: StrictStr
    password: StrictStr


class ReplyRequest(ApiRequest):
    usage: ClassVar[str] = 'send {"text": "..."} with the reply'
    text: StrictStr = Field(..., max_length=4096, description="Sent to the customer.")

    @validator("text")
    def _not_blank(cls, value: str) -> str:  # noqa: N805 (pydantic validators are classmethods)
        if not value.strip():
            raise ValueError("the reply is empty")
        return value


class NoteRequest(ApiRequest):
    usage: ClassVar[str] = 'send {"text": "..."} with the note'
    text: StrictStr = Field(..., description="A private note, never sent to the customer.")


class CloseRequest(ApiRequest):
    usage: ClassVar[str] = 'send {"resolved": true} or {"resolved": false}, or no body'
    resolved: StrictBool | None = Field(
        True, description="false: closed without a resolution (status ``closed``)."
    )


class AssignRequest(ApiRequest):
    usage: ClassVar[str] = 'send {"agent": "username"} or {"agent": null}'
    agent: StrictStr | None = Field(..., description="An agent's username, or null: nobody.")


# --- responses ---------------------------------------------------------------------------


class LoginAnswer(BaseModel):
    token: str = Field(..., description="Send as ``Authorization: Bearer <token>``.")
    expires_in: int = Field(..., description="Seconds the token is valid.")


class AgentSummary(BaseModel):
    id: int
    username: str
    role: str

    @classmethod
    def of(cls, agent: Agent) -> AgentSummary:
        return cls.construct(id=agent.id, username=agent.username, role=agent.role)


class TicketSummary(BaseModel):
    id: int
    customer: str = Field(..., description="The customer's WhatsApp id.")
    username: str | None = Field(None, description="The customer's WhatsApp username, if any.")
    phone: str | None = Field(
        None, description="The customer's phone number, when Meta shares it (may be absent)."
    )
    bsuid: str | None = Field(None, description="The customer's business-scoped user id.")
    use_case: str | None
    queue: str | None
    priority: str | None
    status: TicketStatus
    trigger: str | None
    language: str | None
    summary: str | None
    assignee: str | None = Field(..., description="The assigned agent's username.")
    backend: str | None = Field(..., description="builtin, zendesk or freshdesk.")
    external_id: str | None
    external_error: str | None
    opened_at: str | None
    first_reply_at: str | None
    resolved_at: str | None
    closed_at: str | None
    updated_at: str | None

    @classmethod
    def fields_of(
        cls, ticket: Ticket, *, assignee: str | None, profile: Address | None = None
    ) -> dict[str, Any]:
        if profile is None:  # what the key itself says: a number, a BSUID, or neither
            profile = key_profile(ticket.sender_id)
        return {
            "id": ticket.id,
            "customer": ticket.sender_id,
            "username": profile.username,
            "phone": profile.phone,
            "bsuid": profile.user_id,
            "use_case": ticket.use_case,
            "queue": ticket.queue,
            "priority": ticket.priority,
            "status": ticket.status,
            "trigger": ticket.trigger,
            "language": ticket.language,
            "summary": ticket.summary,
            "assignee": assignee,
            "backend": ticket.backend,
            "external_id": ticket.external_id,
            "external_error": ticket.external_error,
            "opened_at": iso(ticket.opened_at),
            "first_reply_at": iso(ticket.first_reply_at),
            "resolved_at": iso(ticket.resolved_at),
            "closed_at": iso(ticket.closed_at),
            "updated_at": iso(ticket.updated_at),
        }

    @classmethod
    def of(
        cls, ticket: Ticket, *, assignee: str | None = None, profile: Address | None = None
    ) -> TicketSummary:
        return cls.construct(**cls.fields_of(ticket, assignee=assignee, profile=profile))


class TicketList(BaseModel):
    tickets: list[TicketSummary]


class MediaSummary(BaseModel):
    id: int
    kind: str
    mime: str
    size: int
    purpose: str | None
    caption: str | None
    url: str = Field(..., description="The file, for signed-in agents (every view is audited).")
    analysis: dict[str, Any] | None = Field(..., description="The analysis JSON.")
    accepted: bool | None
    problems: list[dict[str, Any]]
    ocr_text: str | None
    fields: list[dict[str, Any]]
    barcodes: list[dict[str, Any]]

    @classmethod
    def of(cls, record: MediaRecord) -> MediaSummary:
        analysis = record.analysis or {}
        return cls.construct(
            id=record.id,
            kind=record.kind,
            mime=record.mime,
            size=record.size,
            purpose=record.purpose,
            caption=record.caption,
            url=f"/media/{record.id}",
            analysis=analysis or None,
            accepted=analysis.get("accepted"),
            problems=analysis.get("problems") or [],
            ocr_text=(analysis.get("ocr") or {}).get("text"),
            fields=analysis.get("fields") or [],
            barcodes=analysis.get("barcodes") or [],
        )


class MessageLine(BaseModel):
    id: int
    who: str = Field(..., description="customer, bot, agent, system or note.")
    agent: str | None
    when: str | None
    text: str | None
    media_id: int | None
    origin: str | None
    delivery: str | None

    @classmethod
    def of(cls, line: TicketMessage, names: dict[int, str]) -> MessageLine:
        return cls.construct(
            id=line.id,
            who=line.author,
            agent=names.get(line.agent_id) if line.agent_id else None,
            when=iso(line.created_at),
            text=line.text,
            media_id=line.media_id,
            origin=line.origin,
            delivery=line.delivery,
        )


class TicketDetail(TicketSummary):
    fields: list[dict[str, Any]]
    kb_matches: list[dict[str, Any]]
    fixes: list[dict[str, Any]]
    flags: list[str]
    media: list[MediaSummary]
    messages: list[MessageLine]
    notes: list[MessageLine]


class ClosedTicket(TicketSummary):
    bot_resumed: bool | None = Field(
        None,
        description="Present when the case was open: whether the bot took the chat back.",
    )
    survey_template: bool | None = Field(
        None,
        description="Present when the case was open: whether the satisfaction survey went "
        "as the approved template WHATSAPP_SURVEY_TEMPLATE (the 24-hour window had closed).",
    )


class ReplyAnswer(BaseModel):
    id: int
    delivery: str = Field(
        ...,
        description="sent, template (the 24-hour window is closed: the approved template "
        "went out), not_sent (window closed, no template configured) or failed.",
    )


class NoteAnswer(BaseModel):
    id: int


class ErrorAnswer(BaseModel):
    error: str = Field(..., description="invalid_request, unauthorized, forbidden, ticketing…")
    message: str = Field(..., description="What went wrong, or what to send.")
    hint: str | None = Field(None, description="What to do next.")
    detail: list[dict[str, Any]] | None = Field(
        None, description="invalid_request: each field that did not validate (loc, msg, type)."
    )
