"""After capture: the fix loop, the handoff to a person, and the satisfaction question.

Logic lives in helpdesk.triage.fixloop (what to do next), helpdesk.capture.casefile (what
the bot learned), helpdesk.tickets.handoff (the ticket) and helpdesk.outcomes (how it ended).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import customer_name, language_of
from helpdesk.capture import casefile
from helpdesk.db import session_scope
from helpdesk.db.models.status import HandoffReason
from helpdesk.errors import HelpdeskError
from helpdesk.outcomes import record_resolution, record_satisfaction
from helpdesk.tickets.handoff import hand_off
from helpdesk.tickets.survey import SURVEY_SENT
from helpdesk.triage import fixloop, triage

logger = logging.getLogger(__name__)

TRIAGE_SLOT = "triage_result"
TRIED_SLOT = "fixes_tried"
PENDING_SLOT = "fix_pending"


def offer_fix(dispatcher: CollectingDispatcher, decision: fixloop.Decision) -> list[EventType]:
    if decision.explanation:
        dispatcher.utter_message(text=decision.explanation)
    if decision.fix_image:
        dispatcher.utter_message(image=decision.fix_image)
    dispatcher.utter_message(text=decision.fix_text)
    dispatcher.utter_message(response="utter_did_it_work", question=decision.follow_up)
    return [
        SlotSet(TRIAGE_SLOT, decision.triage),
        SlotSet(TRIED_SLOT, decision.tried),
        SlotSet(PENDING_SLOT, True),
    ]


async def _hand_off(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    *,
    trigger: str,
    decision: fixloop.Decision | None = None,
    case: casefile.CaseFile | None = None,
) -> list[EventType]:
    language = language_of(tracker)
    case = case or casefile.gather(tracker.events, tracker.slots)
    triage = (decision.triage if decision else None) or tracker.get_slot(TRIAGE_SLOT) or {}
    tried = (decision.tried if decision else None) or tracker.get_slot(TRIED_SLOT) or []
    if decision is not None and decision.advice:
        dispatcher.utter_message(text=decision.advice)
    queue = triage.get("queue") or await asyncio.to_thread(_default_queue, case, language)
    summary = (decision.reason if decision and decision.reason else "") or case.customer_text
    try:
        result = await asyncio.to_thread(
            hand_off,
            sender_id=tracker.sender_id,
            use_case=case.use_case or "general",
            queue=queue,
            priority=casefile.ticket_priority(triage.get("priority")),
            summary=summary[:500],
            transcript=case.transcript,
            media_ids=case.media_ids,
            fields=[{"type": f.get("type"), "value": f.get("value")} for f in case.fields],
            kb_matches=[
                {"id": m.get("id"), "score": m.get("score")} for m in triage.get("matches", [])
            ],
            fixes=[{"fix": entry, "outcome": "did not help"} for entry in tried],
            trigger=trigger,
            language=language,
            # An entry that always hands off (safety, fraud) sends its steps as advice.
            reason=HandoffReason.SAFETY_OR_FRAUD.value if decision and decision.advice else None,
        )
    except HelpdeskError as error:
        logger.error("Handoff failed: %s", error)
        dispatcher.utter_message(response="utter_handoff_failed")
        return []
    name = customer_name(tracker)
    if name:
        dispatcher.utter_message(
            response="utter_handoff_done_named", notice=result.notice, name=name
        )
    else:
        dispatcher.utter_message(response="utter_handoff_done", notice=result.notice)
    return [SlotSet(PENDING_SLOT, False), SlotSet("ticket_id", str(result.ticket_id))]


def _default_queue(case: casefile.CaseFile, language: str) -> str:
    try:
        return triage(text=case.customer_text, category_hint=case.use_case, language=language).queue
    except HelpdeskError as error:
        logger.warning("No queue from triage (%s); using 'general'", error)
        return "general"


class ActionTriage(Action):
    """Runs when capture is complete: offers the best known fix or hands off."""

    def name(self) -> str:
        return "action_triage"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        language = language_of(tracker)
        case = casefile.gather(tracker.events, tracker.slots)
        ocr = await asyncio.to_thread(casefile.ocr_text, case.media_ids)
        decision = await asyncio.to_thread(
            fixloop.first_decision,
            use_case=case.use_case,
            text=case.customer_text,
            fields=case.fields,
            ocr_text=ocr,
            language=language,
            purpose=case.purpose,
            sender_id=tracker.sender_id,
            media_ids=case.media_ids,
        )
        tried = tracker.get_slot(TRIED_SLOT) or []
        if decision.entry_id and decision.entry_id in tried and tracker.get_slot(PENDING_SLOT):
            # The fix from the customer's first words was never answered: an unanswered fix
            # is not a failed one, so ask about it again rather than offer the next.
            dispatcher.utter_message(response="utter_did_it_work", question=decision.follow_up)
            return [
                SlotSet(TRIAGE_SLOT, decision.triage),
                SlotSet(TRIED_SLOT, list(tried)),
                SlotSet(PENDING_SLOT, True),
            ]
        if decision.entry_id and decision.entry_id in tried:
            # The fix offered from the customer's first words did not help: the next one.
            decision = await asyncio.to_thread(
                fixloop.next_decision,
                triage=decision.triage,
                tried=[decision.entry_id],
                language=language,
            )
        if decision.action == fixloop.OFFER_FIX:
            return offer_fix(dispatcher, decision)
        return await _hand_off(dispatcher, tracker, trigger="triage", decision=decision, case=case)


class ActionNextFix(Action):
    """The customer said the fix did not help: the next one, or a person."""

    def name(self) -> str:
        return "action_next_fix"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        triage = tracker.get_slot(TRIAGE_SLOT)
        if not triage or not tracker.get_slot(PENDING_SLOT):
            dispatcher.utter_message(response="utter_fallback_menu")
            return []
        decision = await asyncio.to_thread(
            fixloop.next_decision,
            triage=triage,
            tried=list(tracker.get_slot(TRIED_SLOT) or []),
            language=language_of(tracker),
        )
        if decision.action == fixloop.OFFER_FIX:
            dispatcher.utter_message(response="utter_try_another_fix")
            return offer_fix(dispatcher, decision)
        return await _hand_off(dispatcher, tracker, trigger="triage", decision=decision)


class ActionFixWorked(Action):
    def name(self) -> str:
        return "action_fix_worked"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if not tracker.get_slot(PENDING_SLOT):
            dispatcher.utter_message(response="utter_you_are_welcome")
            return []
        tried = list(tracker.get_slot(TRIED_SLOT) or [])
        case = casefile.gather(tracker.events, tracker.slots)
        try:
            with session_scope() as session:
                record_resolution(
                    session,
                    sender_id=tracker.sender_id,
                    use_case=case.use_case,
                    resolved_by="bot",
                    kb_entry=tried[-1] if tried else None,
                    fixes_tried=len(tried),
                )
        except HelpdeskError as error:
            logger.warning("Could not record the resolution: %s", error)
        dispatcher.utter_message(response="utter_glad_it_worked")
        dispatcher.utter_message(response="utter_ask_satisfaction")
        return [SlotSet(PENDING_SLOT, False)]


class ActionHandoff(Action):
    """The customer asked for a person (or capture could not go on)."""

    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        failures = tracker.get_slot("capture_failures") or {}
        trigger = "capture_failed" if failures else "customer_request"
        return await _hand_off(dispatcher, tracker, trigger=trigger)


class ActionHandoffEnded(Action):
    """An agent closed the case (ask for a score) or handed the conversation back."""

    def name(self) -> str:
        return "action_handoff_ended"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        outcome = next(
            (e.get("value") for e in tracker.latest_message.get("entities", [])
             if e.get("entity") == "outcome"),
            "closed",
        )  # fmt: skip
        if outcome == "closed":
            dispatcher.utter_message(response="utter_case_closed")
            dispatcher.utter_message(response="utter_ask_satisfaction")
        elif outcome == SURVEY_SENT:
            pass  # the window had closed: the survey template asked; WhatsApp takes no more
        else:
            dispatcher.utter_message(response="utter_bot_is_back")
        return [SlotSet(PENDING_SLOT, False)]


class ActionRecordSatisfaction(Action):
    def name(self) -> str:
        return "action_record_satisfaction"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        raw = next(tracker.get_latest_entity_values("score"), None) or tracker.latest_message.get(
            "text", ""
        )
        digits = [int(ch) for ch in str(raw) if ch.isdigit()]
        if len(digits) != 1 or not 1 <= digits[0] <= 5:
            dispatcher.utter_message(response="utter_ask_satisfaction")
            return []
        try:
            with session_scope() as session:
                record_satisfaction(session, sender_id=tracker.sender_id, score=digits[0])
        except HelpdeskError as error:
            logger.warning("Could not record the score: %s", error)
        dispatcher.utter_message(response="utter_thanks_for_rating")
        return []
