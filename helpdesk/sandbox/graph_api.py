"""The Graph API look-alike the bot talks to (``WHATSAPP_GRAPH_URL``)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from typing import Any

from fastapi import APIRouter, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from helpdesk.errors import MetaError
from helpdesk.sandbox.meta import (
    ASYNC_DETAILS,
    ASYNC_FAULT_CODES,
    SYNC_FAULT_CODES,
    TITLES,
    error_response,
    validate_message,
    validate_upload,
)
from helpdesk.sandbox.state import Fault, SandboxState, new_wamid, now

router = APIRouter()
WINDOW_SECONDS = 24 * 3600


def _state(request: Request) -> SandboxState:
    return request.app.state.sandbox


def _check_token(request: Request) -> None:
    expected = request.app.state.config.access_token
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.encode(), expected.encode()):
        raise MetaError(190, "Invalid OAuth access token", status=401)


def _check_phone(request: Request, phone_number_id: str) -> None:
    if phone_number_id != request.app.state.config.phone_number_id:
        raise MetaError(
            100,
            f"Unsupported post request. Object with ID '{phone_number_id}' does not exist.",
            subcode=33,
        )


async def _apply_fault(fault: Fault | None) -> None:
    if fault is None:
        return
    if fault.kind == "timeout":
        await asyncio.sleep(fault.delay)
    elif fault.kind == "rate_limit":
        raise MetaError(130429, "Cloud API message throughput has been reached.", status=400)
    elif fault.kind == "500":
        raise MetaError(131000, "Something went wrong", status=500)
    elif fault.kind.isdigit() and int(fault.kind) in SYNC_FAULT_CODES:
        code = int(fault.kind)
        raise MetaError(code, ASYNC_DETAILS.get(code, TITLES[code]), status=SYNC_FAULT_CODES[code])


@router.post("/{version}/{phone_number_id}/messages")
async def send_message(version: str, phone_number_id: str, request: Request) -> Response:
    state = _state(request)
    config = request.app.state.config
    try:
        _check_token(request)
        _check_phone(request, phone_number_id)
        fault = state.take_fault("messages")
        async_failure = None
        if fault is not None and fault.kind.isdigit() and int(fault.kind) in ASYNC_FAULT_CODES:
            async_failure = int(fault.kind)  # accepted now, reported failed by webhook
        else:
            await _apply_fault(fault)
        try:
            body = await request.json()
        except json.JSONDecodeError as error:
            raise MetaError(100, "The request body is not valid JSON.") from error
        if isinstance(body, dict) and body.get("status") == "read":
            return _mark_read(state, body)
        # "sends": faults for messages to customers only (read receipts pass).
        late = state.take_fault("sends")
        if late is not None and late.kind == "lost":
            # The request never reaches WhatsApp: no answer for a while, then an error.
            await asyncio.sleep(late.delay)
            raise MetaError(131000, "Something went wrong", status=500)
        if late is not None and late.kind != "accepted_late":
            await _apply_fault(late)
            late = None
        if not state.throughput.take():
            raise MetaError(130429, "Cloud API message throughput has been reached.")
        kind = validate_message(
            body,
            media_ids=set(state.media),
            templates=config.templates,
            template_parameters=config.template_parameters,
        )
    except MetaError as error:
        return error_response(error)
    if body.get("to"):  # Meta: ``to`` wins when both are given
        wa_id = str(body["to"]).lstrip("+")
    else:
        found = state.by_user_id(str(body["recipient"]))
        wa_id = found.wa_id if found else str(body["recipient"])
    known = wa_id in state.customers
    wamid = new_wamid()
    item: dict[str, Any] = {
        "direction": "outbound",
        "id": wamid,
        "timestamp": now(),
        "type": kind,
        "payload": body,
        "status": "accepted",
    }
    state.record_outbound(wa_id, item)
    customer = state.customers[wa_id]
    failure = async_failure
    if failure:
        pass
    elif not known:
        failure = 131026
    elif kind != "template" and (
        customer.last_inbound is None or time.time() - customer.last_inbound > WINDOW_SECONDS
    ):
        failure = 131047
    if late is not None:
        # Accepted (the customer has it), but the answer and the statuses come late: a
        # client that stops meanwhile never learns the wamid from the answer.
        request.app.state.notifier.statuses(item, wa_id, failure=failure, delay=late.delay)
        await asyncio.sleep(late.delay)
    else:
        request.app.state.notifier.statuses(item, wa_id, failure=failure)
    return JSONResponse(
        {
            "messaging_product": "whatsapp",
            "contacts": [_contact(body, customer)],
            "messages": [{"id": wamid}],
        }
    )


def _contact(body: dict[str, Any], customer: Any) -> dict[str, Any]:
    if body.get("to"):
        return {"input": str(body["to"]), "wa_id": customer.phone or str(body["to"])}
    # Sent by BSUID: the answer names the user by BSUID only (no number is disclosed).
    return {"input": str(body["recipient"]), "user_id": customer.user_id}


def _mark_read(state: SandboxState, body: dict[str, Any]) -> Response:
    if body.get("messaging_product") != "whatsapp":
        raise MetaError(100, "The parameter messaging_product is required.")
    found = state.inbound.get(str(body.get("message_id")))
    if found is None:
        raise MetaError(100, f"Invalid parameter message_id {body.get('message_id')!r}.")
    _, item = found
    item["status"] = "read"
    if body.get("typing_indicator"):
        item["typing_until"] = time.time() + 25
    return JSONResponse({"success": True})


@router.post("/{version}/{phone_number_id}/media")
async def upload_media(version: str, phone_number_id: str, request: Request) -> Response:
    state = _state(request)
    try:
        _check_token(request)
        _check_phone(request, phone_number_id)
        await _apply_fault(state.take_fault("media_upload"))
        form = await request.form()
        if form.get("messaging_product") != "whatsapp":
            raise MetaError(100, "The parameter messaging_product is required.")
        upload = form.get("file")
        if not isinstance(upload, UploadFile | object) or not hasattr(upload, "read"):
            raise MetaError(131008, "The parameter file is required.")
        data = await upload.read()
        mime = str(form.get("type") or upload.content_type or "application/octet-stream")
        validate_upload(mime, len(data))
    except MetaError as error:
        return error_response(error)
    media = state.add_media(data, mime.split(";")[0], getattr(upload, "filename", None))
    return JSONResponse({"id": media.id})


def _download_token(secret: str, media_id: str, expires: int) -> str:
    mac = hmac.new(secret.encode(), f"{media_id}:{expires}".encode(), hashlib.sha256)
    return mac.hexdigest()[:32]


@router.get("/lookaside/{mid}")
async def download(request: Request, mid: str, ext: int, hash: str) -> Response:
    """Like lookaside.fbsbx.com: needs the bearer token, and the link expires."""
    state = _state(request)
    config = request.app.state.config
    try:
        _check_token(request)
    except MetaError as error:
        return error_response(error)
    fault = state.take_fault("media_download")
    if fault is not None and fault.kind == "500":
        return Response("temporarily unavailable", status_code=503)
    if fault is not None and fault.kind == "timeout":
        await asyncio.sleep(fault.delay)
    expected = _download_token(config.access_token, mid, ext)
    media = state.media.get(mid)
    if (
        media is None
        or not hmac.compare_digest(expected, hash)
        or ext < time.time()
        or (fault is not None and fault.kind == "expired_url")
    ):
        return Response("URL signature expired", status_code=404)
    return Response(media.data, media_type=media.mime)


@router.get("/{version}/{media_id}")
async def media_info(version: str, media_id: str, request: Request) -> Response:
    state = _state(request)
    config = request.app.state.config
    try:
        _check_token(request)
        fault = state.take_fault("media_info")
        await _apply_fault(fault)
        media = state.media.get(media_id)
        if media is None:
            raise MetaError(
                100,
                f"Unsupported get request. Object with ID '{media_id}' does not exist.",
                subcode=33,
            )
    except MetaError as error:
        return error_response(error)
    expires = int(time.time()) + config.media_url_ttl
    if fault is not None and fault.kind == "expired_url":
        expires = int(time.time()) - 1
    token = _download_token(config.access_token, media_id, expires)
    base = str(request.base_url).rstrip("/")
    return JSONResponse(
        {
            "messaging_product": "whatsapp",
            "url": f"{base}/lookaside/{media_id}?ext={expires}&hash={token}",
            "mime_type": media.mime,
            "sha256": media.sha256,
            "file_size": len(media.data),
            "id": media.id,
        }
    )


def failed_error(code: int) -> dict[str, Any]:
    return {
        "code": code,
        "title": TITLES[code],
        "message": TITLES[code],
        "error_data": {"details": ASYNC_DETAILS.get(code, TITLES[code])},
        "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
    }
