"""What Meta's Cloud API refuses, and how it says so.

Error bodies follow Graph API's shape::

    {"error": {"message": "(#131009) Parameter value is not valid", "type": "OAuthException",
               "code": 131009, "error_data": {"messaging_product": "whatsapp",
               "details": "..."}, "fbtrace_id": "..."}}

The codes used: 190 (bad access token, HTTP 401), 100 (invalid parameter), 131008 (required
parameter missing), 131009 (parameter value not valid), 131053 (media upload error), 132001
(template does not exist), 132000 (number of template parameters does not match the
template), 132018 (a template parameter Meta refuses: empty, a line break or tab, more than
four spaces in a row), 130429 (rate limit hit), 131000/500 (something went wrong).
Errors Meta reports asynchronously are sent as ``failed`` status webhooks instead: 131026
(message undeliverable — the number never wrote to this sandbox) and 131047 (re-engagement
message — more than 24 hours since the customer's last message).
"""

from __future__ import annotations

import re
from typing import Any

from fastapi.responses import JSONResponse

from helpdesk.errors import MetaError
from helpdesk.sandbox.state import fbtrace_id
from helpdesk.whatsapp.identity import is_bsuid

TITLES = {
    100: "Invalid parameter",
    190: "Invalid OAuth access token - Cannot parse access token",
    131000: "Something went wrong",
    131008: "Required parameter is missing",
    131009: "Parameter value is not valid",
    131026: "Message undeliverable",
    131047: "Re-engagement message",
    131053: "Media upload error",
    132000: "Number of parameters does not match the expected number of params",
    132001: "Template name does not exist in the translation",
    132012: "Parameter format does not match format in the created template",
    132018: "There was an issue with the parameters in your template",
    130429: "Rate limit hit",
    131048: "Spam rate limit hit",
    131056: "(Business Account, Consumer Account) pair rate limit hit",
    368: "Temporarily blocked for policies violations",
}

# Codes a test can make the next send answer with (``POST /sandbox/faults``, kind = the
# code): these come back in the API's answer, the others in a ``failed`` status webhook.
SYNC_FAULT_CODES = {130429: 400, 131056: 400, 368: 400, 131000: 500}
ASYNC_FAULT_CODES = {131026, 131047, 131048}

ASYNC_DETAILS = {
    131026: "Message undeliverable: the recipient is not a WhatsApp user of this sandbox.",
    131047: "Message failed to send because more than 24 hours have passed since the "
    "customer last replied to this number.",
    131048: "Message failed to send because there are restrictions on how many messages can "
    "be sent from this phone number.",
    131056: "Too many messages sent from the sender phone number to the same recipient phone "
    "number in a short period of time.",
    368: "The business phone number is temporarily blocked for policy violations.",
}

MEDIA_KINDS = ("image", "video", "audio", "document", "sticker")
UPLOAD_LIMITS = {
    "image": (5 * 1024 * 1024, {"image/jpeg", "image/png"}),
    "video": (16 * 1024 * 1024, {"video/mp4", "video/3gpp"}),
    "audio": (16 * 1024 * 1024, {"audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg"}),
    "sticker": (500 * 1024, {"image/webp"}),
    "document": (100 * 1024 * 1024, None),
}


_REFUSED_TEXT = re.compile(r"[\n\r\t]| {5,}")


def error_body(error: MetaError) -> dict[str, Any]:
    """Meta's error object for ``error`` (see the module docstring)."""
    body: dict[str, Any] = {
        "message": f"(#{error.code}) {TITLES.get(error.code, 'Error')}",
        "type": "OAuthException",
        "code": error.code,
        "error_data": {"messaging_product": "whatsapp", "details": error.details},
        "fbtrace_id": fbtrace_id(),
    }
    if error.code == 190:
        body["message"] = TITLES[190]
        body.pop("error_data")
    if error.subcode is not None:
        body["error_subcode"] = error.subcode
    return {"error": body}


def error_response(error: MetaError) -> JSONResponse:
    return JSONResponse(error_body(error), status_code=error.status)


def _require(condition: bool, code: int, details: str) -> None:
    if not condition:
        raise MetaError(code, details)


def _length(value: Any, limit: int, what: str, code: int = 131009) -> None:
    _require(isinstance(value, str) and value.strip() != "", 131008, f"{what} is required.")
    _require(
        len(value) <= limit, code, f"{what} length invalid. Min length: 1, Max length: {limit}"
    )


def validate_message(
    body: Any,
    *,
    media_ids: set[str],
    templates: set[str],
    template_parameters: dict[str, int] | None = None,
) -> str:
    """Raise ``MetaError`` for a body Meta would refuse; returns the message type."""
    _require(isinstance(body, dict), 100, "The request body must be a JSON object.")
    _require(
        body.get("messaging_product") == "whatsapp",
        100,
        "The parameter messaging_product is required and must be 'whatsapp'.",
    )
    to, recipient = body.get("to"), body.get("recipient")
    _require(bool(to or recipient), 100, "The parameter to or recipient is required.")
    # ``to`` takes a phone number; a business-scoped user id goes in ``recipient``.
    _require(
        not to or (isinstance(to, str) and not is_bsuid(to)),
        100,
        "Invalid parameter to: a business-scoped user id must be sent in recipient.",
    )
    _require(
        not recipient or is_bsuid(recipient if isinstance(recipient, str) else None),
        100,
        "Invalid parameter recipient: expected a business-scoped user id.",
    )
    kind = body.get("type", "text")
    content = body.get(kind)
    _require(isinstance(content, dict), 100, f"The parameter {kind} is required.")
    if kind == "text":
        _length(content.get("body"), 4096, "Param text['body']", code=100)
    elif kind == "interactive":
        _interactive(content)
    elif kind in MEDIA_KINDS:
        has_id, has_link = bool(content.get("id")), bool(content.get("link"))
        _require(has_id != has_link, 100, f"Exactly one of {kind}['id'] or {kind}['link'].")
        if has_id:
            _require(str(content["id"]) in media_ids, 100, f"Invalid media id {content['id']}.")
        if content.get("caption") is not None:
            _length(content["caption"], 1024, f"{kind} caption")
    elif kind == "template":
        _require(content.get("name") in templates, 132001, f"template {content.get('name')!r}")
        _require(bool((content.get("language") or {}).get("code")), 131008, "template language")
        _template_components(content, (template_parameters or {}).get(content["name"]))
    elif kind in ("location", "contacts", "reaction"):
        pass
    else:
        raise MetaError(100, f"Unsupported message type {kind!r}.")
    return kind


def _template_components(content: dict[str, Any], expected: int | None) -> None:
    """The body variables as Meta checks them: ``components: [{"type": "body",
    "parameters": [{"type": "text", "text": ...}]}]``, as many as the template has."""
    components = content.get("components") or []
    _require(isinstance(components, list), 100, "Param template['components'] must be a list.")
    body_parameters: list[Any] = []
    for component in components:
        _require(isinstance(component, dict), 100, "Each template component must be an object.")
        if str(component.get("type", "")).lower() != "body":
            continue
        parameters = component.get("parameters") or []
        _require(isinstance(parameters, list), 100, "Body parameters must be a list.")
        body_parameters.extend(parameters)
    for number, parameter in enumerate(body_parameters, start=1):
        _require(
            isinstance(parameter, dict) and parameter.get("type") == "text",
            132012,
            f"body parameter {number}: expected type text",
        )
        text = parameter.get("text")
        _require(
            isinstance(text, str) and text.strip() != "" and not _REFUSED_TEXT.search(text),
            132018,
            f"body parameter {number}: Param text cannot be empty or have new-line/tab "
            "characters or more than 4 consecutive spaces",
        )
        _require(len(text) <= 1024, 132018, f"body parameter {number}: longer than 1024")
    if expected is not None:
        _require(
            len(body_parameters) == expected,
            132000,
            f"body: number of localizable_params ({len(body_parameters)}) does not match the "
            f"expected number of params ({expected})",
        )


def _interactive(content: dict[str, Any]) -> None:
    itype = content.get("type")
    action = content.get("action") or {}
    if itype in ("button", "list"):
        _length((content.get("body") or {}).get("text"), 1024, "Interactive body text")
    if itype == "button":
        buttons = action.get("buttons") or []
        _require(
            1 <= len(buttons) <= 3, 131009, "buttons: Number of buttons must be between 1 and 3"
        )
        ids = []
        for button in buttons:
            reply = button.get("reply") or {}
            _length(reply.get("title"), 20, "Button title")
            _length(reply.get("id"), 256, "Button id")
            ids.append(reply["id"])
            titles = [(b.get("reply") or {}).get("title") for b in buttons]
            _require(len(set(titles)) == len(titles), 131009, "Button titles must be unique")
        _require(len(set(ids)) == len(ids), 131009, "Button ids must be unique")
    elif itype == "list":
        _length(action.get("button"), 20, "List button label")
        sections = action.get("sections") or []
        _require(1 <= len(sections) <= 10, 131009, "sections: between 1 and 10 sections")
        rows = [row for section in sections for row in section.get("rows") or []]
        _require(1 <= len(rows) <= 10, 131009, "rows: a list has between 1 and 10 rows in total")
        for row in rows:
            _length(row.get("title"), 24, "Row title")
            _length(row.get("id"), 200, "Row id")
            if row.get("description") is not None:
                _length(row["description"], 72, "Row description")
        ids = [row["id"] for row in rows]
        _require(len(set(ids)) == len(ids), 131009, "Row ids must be unique")
    elif itype in ("cta_url", "flow", "location_request_message", "product", "product_list"):
        pass
    else:
        raise MetaError(100, f"Unsupported interactive type {itype!r}.")


def validate_upload(mime: str, size: int) -> str:
    """The media kind for an upload, or ``MetaError`` 131053 as Meta answers."""
    base = mime.split(";")[0].strip().lower()
    for kind in ("sticker", "image", "video", "audio"):
        limit, types = UPLOAD_LIMITS[kind]
        if types and base in types:
            if size > limit:
                raise MetaError(131053, f"{kind} file size {size} exceeds {limit} bytes")
            return kind
    limit, _ = UPLOAD_LIMITS["document"]
    if base.startswith(("image/", "video/", "audio/")):
        raise MetaError(131053, f"Param file must be a supported type, not {base}")
    if size > limit:
        raise MetaError(131053, f"document file size {size} exceeds {limit} bytes")
    return "document"
