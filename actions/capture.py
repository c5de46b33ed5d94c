"""Form validation and prompts for the five capture flows (logic in helpdesk.capture)."""

from __future__ import annotations

import asyncio
import functools
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import language_of
from actions.support import offer_fix
from helpdesk.capture import Turn, flow_for_form, handle_turn
from helpdesk.capture.casefile import latest_use_case
from helpdesk.capture.deadends import (
    HUSH_SLOT,
    KNOWN_FACTS,
    PAUSED_SLOT,
    SHOWN_SLOT,
    VOICE_NOTE,
    media_prompt,
)
from helpdesk.capture.engine import (
    CANDIDATES_SLOT,
    FAILURES_SLOT,
    FIELDS_SLOT,
    FIX_PENDING_SLOT,
    hold_media,
    release_held_media,
)
from helpdesk.capture.flows import FLOWS, MEDIA, flow_for_use_case
from helpdesk.capture.media import CAPTURE_EXECUTOR, analyse_stored_media
from helpdesk.capture.summary import capture_summary, payment_readback
from helpdesk.capture.switch import SWITCH_SLOT, start_text
from helpdesk.settings import get_settings
from helpdesk.triage.wordsfirst import fix_from_words

STATE_SLOTS = (
    FAILURES_SLOT,
    CANDIDATES_SLOT,
    FIELDS_SLOT,
    HUSH_SLOT,
    SHOWN_SLOT,
    PAUSED_SLOT,
    SWITCH_SLOT,
)


class _ValidateCaptureForm:
    """Shared by the five validation actions (not an Action itself, so not registered)."""

    form: str

    def name(self) -> str:
        return f"validate_{self.form}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        flow = flow_for_form(self.form)
        message = tracker.latest_message or {}
        turn = Turn(
            form=self.form,
            requested_slot=tracker.get_slot("requested_slot"),
            intent=(message.get("intent") or {}).get("name"),
            text=message.get("text"),
            metadata=message.get("metadata") or {},
            slots={
                name: tracker.get_slot(name)
                for name in (*flow.slots, *STATE_SLOTS, FIX_PENDING_SLOT)
            },
            language=language_of(tracker),
            sender_id=tracker.sender_id,
        )
        # Analysis runs in a child process; this thread only waits for it.
        outcome = await asyncio.get_running_loop().run_in_executor(
            CAPTURE_EXECUTOR,
            functools.partial(
                handle_turn,
                flow,
                turn,
                max_tries=get_settings().capture_max_tries,
                analyse=analyse_stored_media,
            ),
        )
        starting = turn.requested_slot is None and turn.intent == flow.use_case
        if not outcome.handled and not starting:
            return []  # the form rejects; the dialogue's rules handle the interruption
        for reply in outcome.replies:
            dispatcher.utter_message(response=reply.response, **reply.params)
        events: list[EventType] = [SlotSet(n, v) for n, v in outcome.slots.items()]
        if outcome.followup:
            # A switch the customer confirmed: the new flow runs next, from their words.
            new = flow_for_form(outcome.followup)
            filled = {**turn.slots, **outcome.slots}
            events += await self._fix_from_words(
                dispatcher, new, outcome.switch_text or "", turn.language, filled
            )
            return [*events, FollowupAction(outcome.followup)]
        if starting:
            text = start_text(flow, turn)
            filled = {**turn.slots, **outcome.slots}
            events += await self._fix_from_words(dispatcher, flow, text, turn.language, filled)
        return events

    async def _fix_from_words(
        self,
        dispatcher: CollectingDispatcher,
        flow: Any,
        text: str,
        language: str,
        slots: dict[str, Any],
    ) -> list[EventType]:
        """The flow starts: when the customer's words already name the fix, give it now."""
        decision = await asyncio.to_thread(
            fix_from_words, use_case=flow.use_case, text=text, language=language
        )
        if decision is None:
            return []
        first = next((s for s in flow.slots if slots.get(s) is None), None)
        # The form's request for the media waits until the customer says it did not help.
        return [*offer_fix(dispatcher, decision), SlotSet(HUSH_SLOT, first)]


class ValidateDamagedProductForm(_ValidateCaptureForm, Action):
    form = "damaged_product_form"


class ValidateSoftwareErrorForm(_ValidateCaptureForm, Action):
    form = "software_error_form"


class ValidatePaymentProblemForm(_ValidateCaptureForm, Action):
    form = "payment_problem_form"


class ValidateReturnForm(_ValidateCaptureForm, Action):
    form = "return_form"


class ValidateApplianceFaultForm(_ValidateCaptureForm, Action):
    form = "appliance_fault_form"


class _AskFact:
    """Offers a value read from the media for confirmation, or asks to type it."""

    slot: str

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if tracker.get_slot(HUSH_SLOT) == self.slot:
            return [SlotSet(HUSH_SLOT, None)]  # this turn's reply already said what to do
        candidate = (tracker.get_slot(CANDIDATES_SLOT) or {}).get(self.slot)
        if candidate:
            dispatcher.utter_message(response=f"utter_confirm_{self.slot}", value=candidate)
        else:
            dispatcher.utter_message(response=f"utter_type_{self.slot}")
        return []


class AskTransactionId(_AskFact, Action):
    slot = "transaction_id"


class AskOrderNumber(_AskFact, Action):
    slot = "order_number"


class AskPaymentDetails(Action):
    """Reads back the total, date and merchant read from the receipt to confirm; asks to
    type them when nothing was read or the customer said it was wrong."""

    def name(self) -> str:
        return "action_ask_payment_details"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        candidate = (tracker.get_slot(CANDIDATES_SLOT) or {}).get("payment_details")
        fields = tracker.get_slot(FIELDS_SLOT) or []
        readback = payment_readback(fields, language_of(tracker)) if candidate else None
        if readback:
            dispatcher.utter_message(response="utter_confirm_payment_details", readback=readback)
        else:
            dispatcher.utter_message(response="utter_type_payment_details")
        return []


class ActionCaptureSummary(Action):
    def name(self) -> str:
        return "action_capture_summary"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        use_case = latest_use_case(tracker.events)
        flow = flow_for_use_case(use_case) if use_case else None
        if flow is None:
            return []
        slots = {name: tracker.get_slot(name) for name in flow.slots}
        fields = tracker.get_slot(FIELDS_SLOT) or []
        summary = capture_summary(flow, slots, fields, language_of(tracker))
        dispatcher.utter_message(response="utter_capture_summary", summary=summary)
        every_slot = {name: tracker.get_slot(name) for f in FLOWS for name in f.slots}
        done = [SlotSet(name, None) for name in release_held_media(every_slot)]
        cleared = (HUSH_SLOT, SHOWN_SLOT, PAUSED_SLOT, SWITCH_SLOT)
        return done + [SlotSet(name, None) for name in cleared]


class ActionHoldMedia(Action):
    """Media before any flow: keep it for the flow the customer picks, ask what it is."""

    def name(self) -> str:
        return "action_hold_media"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        items = (tracker.latest_message.get("metadata") or {}).get("media") or []
        if items and all(item.get("kind") == "audio" for item in items):
            # Stored and in the transcript for the agent; the bot cannot listen yet.
            dispatcher.utter_message(response=VOICE_NOTE)
            return []
        paused = tracker.get_slot(PAUSED_SLOT)
        if paused:
            # The media the customer promised: the paused form resumes and judges it.
            return [SlotSet(PAUSED_SLOT, None), FollowupAction(paused)]
        slots = {name: tracker.get_slot(name) for flow in FLOWS for name in flow.slots}
        held = hold_media(items, slots)
        dispatcher.utter_message(response="utter_media_received")
        return [SlotSet(name, value) for name, value in held.items()]


class ActionResetCapture(Action):
    """Forgets an abandoned capture so that a new one starts clean."""

    def name(self) -> str:
        return "action_reset_capture"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        names = [slot for flow in FLOWS for slot in flow.slots] + list(STATE_SLOTS)
        return [SlotSet(name, None) for name in names if tracker.get_slot(name) is not None]


class _AskMedia:
    """Asks for a media step: the example picture once, then a short reminder."""

    slot: str

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        names = (HUSH_SLOT, SHOWN_SLOT, *KNOWN_FACTS)
        slots = {name: tracker.get_slot(name) for name in names}
        response, params, updates = media_prompt(self.slot, slots, language_of(tracker))
        if response is not None:
            dispatcher.utter_message(response=response, **params)
        return [SlotSet(name, value) for name, value in updates.items()]


def _ask_media_action(slot: str) -> type:
    return type(f"AskMedia_{slot}", (_AskMedia, Action), {"slot": slot})


ASK_MEDIA_ACTIONS = [
    _ask_media_action(step.slot) for flow in FLOWS for step in flow.steps if step.type == MEDIA
]


class ActionPauseCapture(Action):
    """ "Send it later": the form waits; the media, when it comes, resumes it (hold media)."""

    def name(self) -> str:
        return "action_pause_capture"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        use_case = latest_use_case(tracker.events)
        flow = flow_for_use_case(use_case) if use_case else None
        if flow is None or all(tracker.get_slot(s) is not None for s in flow.slots):
            dispatcher.utter_message(response="utter_write_when_ready")
            return []
        dispatcher.utter_message(response="utter_capture_waiting")
        return [SlotSet(PAUSED_SLOT, flow.form), SlotSet(HUSH_SLOT, None)]
