"""Analyse a stored media record for a capture step and keep the analysis with it."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from helpdesk.db import session_scope
from helpdesk.errors import HelpdeskError
from helpdesk.media import analyze_isolated
from helpdesk.media.records import get_media, set_analysis
from helpdesk.settings import get_settings
from helpdesk.store import get_media_store

logger = logging.getLogger(__name__)

# Capture turns wait here for their analysis child; the children themselves are limited to
# one per core (helpdesk.media.isolation), so many threads only mean many customers waiting
# their turn instead of the event loop's few default threads stalling every capture.
CAPTURE_EXECUTOR = ThreadPoolExecutor(max_workers=32, thread_name_prefix="capture")


def analyse_stored_media(
    media_id: int | str,
    *,
    purpose: str,
    language: str,
    sender_id: str,
    url: str | None = None,
) -> dict[str, Any] | None:
    """The analysis of ``sender_id``'s media record ``media_id`` for ``purpose``, saved on
    the record.

    ``None`` when the record is not this customer's, or its bytes cannot be read (the
    customer is asked to resend): another customer's id reads as a missing file.
    """
    settings = get_settings()

    try:
        with session_scope(url) as session:
            record = get_media(session, media_id=int(media_id), sender_id=sender_id)
            sha256 = record.sha256 if record is not None else None
        if sha256 is None:
            logger.warning("Media record %s is not the sender's (or does not exist)", media_id)
            return None
        data = get_media_store().get(sha256)
        # A child process per file: a decoder crash or a hostile file costs this file its
        # analysis (refused with a reason), never the action server or other customers.
        analysis = analyze_isolated(
            data,
            purpose=purpose,
            language=language,
            timeout=settings.media_analysis_budget_seconds,
            memory_mb=settings.media_analysis_memory_mb,
        ).to_dict()
        with session_scope(url) as session:
            set_analysis(
                session,
                media_id=int(media_id),
                sender_id=sender_id,
                analysis=analysis,
                purpose=purpose,
            )
        return analysis
    except (HelpdeskError, ValueError) as error:
        logger.error("Could not analyse media %s: %s", media_id, error)
        return None
