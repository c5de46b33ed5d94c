"""The satisfaction question after an agent closes a case, when the window has closed.

Inside the customer's 24-hour window the bot asks it (``utter_ask_satisfaction``: text
with 1-5 buttons). Outside it WhatsApp would deliver neither that question nor the "case
closed" text (131047), so ``ask_by_template`` sends ``WHATSAPP_SURVEY_TEMPLATE`` instead:
an approved template whose five quick-reply buttons carry the same ``/rate{"score":…}``
payloads as the bot's buttons, so a tap is recorded by the same rule. The bot is then
resumed with ``SURVEY_SENT`` and stays quiet.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy.orm import Session

from helpdesk.db import session_scope
from helpdesk.settings import get_settings
from helpdesk.whatsapp import payloads, templates
from helpdesk.whatsapp.records import choice_id

logger = logging.getLogger(__name__)

# The resume outcome that tells the bot the survey already went out as a template.
SURVEY_SENT = "closed_survey_sent"


def _choice_ids(session: Session) -> list[str]:
    return [choice_id(session, payload=templates.score_payload(s)) for s in templates.SURVEY_SCORES]


async def ask_by_template(
    sender: Any, recipient_id: str, *, language: str = "en", url: str | None = None
) -> bool:
    """Send the survey template if the window is closed and one is configured; whether it
    went out (False: the bot should ask, within the window or with the window template)."""
    name = get_settings().whatsapp_survey_template
    if not name or await sender.window_open(recipient_id):
        return False

    def ids() -> list[str]:
        with session_scope(url) as session:
            return _choice_ids(session)

    body = payloads.template_message(
        recipient_id,
        name,
        language=language or "en",
        components=templates.survey_components(await asyncio.to_thread(ids)),
    )
    wamid = await sender.send(recipient_id, body)
    if not wamid:
        logger.warning("The satisfaction survey template %r was not accepted", name)
    return bool(wamid)
