"""``/media/{id}``: a file of a ticket, for signed-in agents; every view is audited."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from helpdesk.console.security import DbSession, PageWho
from helpdesk.db.models import MediaRecord
from helpdesk.errors import MediaNotFound
from helpdesk.store import get_media_store
from helpdesk.tickets.core import log_media_view, ticket_of_media

logger = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)

INLINE_MIME = {
    "image/jpeg",
    "image/png",
    "image/webp",
    "video/mp4",
    "video/3gpp",
    "audio/ogg",
    "audio/mpeg",
    "audio/mp4",
    "application/pdf",
}


@router.get("/media/{media_id}")
def media(media_id: int, request: Request, who: PageWho, session: DbSession) -> Response:
    record = session.get(MediaRecord, media_id)
    # Only media that reached a ticket: a customer's other files are not for agents.
    ticket_id = ticket_of_media(session, media=record) if record is not None else None
    if record is None or ticket_id is None:
        return HTMLResponse("<p>This file is no longer stored.</p>", status_code=404)
    log_media_view(
        session, agent_id=who.id, agent_name=who.username, media=record, ticket_id=ticket_id
    )
    mime = record.mime
    try:
        data = get_media_store().get(record.sha256)
    except MediaNotFound:
        return HTMLResponse("<p>This file is no longer stored.</p>", status_code=404)
    request.app.state.metrics.media_views.inc()
    logger.info("agent %s viewed media %s", who.username, media_id)
    inline = mime in INLINE_MIME
    headers = {
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": ("inline" if inline else "attachment")
        + f'; filename="media-{media_id}"',
    }
    if mime != "application/pdf":
        # A file opened on its own can run nothing; PDFs are left to the browser's viewer,
        # which a sandboxed document could not use.
        headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return Response(
        data, media_type=mime if inline else "application/octet-stream", headers=headers
    )
