"""A typed sentence that reads as another use case, inside a capture flow: ask first.

"they arrived broken" inside a return may be the return's reason, or a new damage report.
The flow the customer is in wins until they say otherwise: the bot asks once ("Do you want
to report damage rather than the return?", with Yes / No buttons), yes switches (what they
wrote goes with them: helpdesk.capture.prefill), no carries on where they were. A tap on a
use-case button is a clear request and switches at once (no question).
"""

from __future__ import annotations

from typing import Any

from helpdesk.capture.flows import FACT, Flow, Step, flow_for_use_case
from helpdesk.capture.prefill import NOTED, prefill
from helpdesk.capture.turn import State, Turn, TurnOutcome
from helpdesk.conversation import USE_CASE_INTENTS

SWITCH_SLOT = "switch_offer"  # {"to": use case, "text": the words that asked for it}
CONFIRM_SWITCH = "utter_confirm_switch"
SWITCH_DECLINED = "utter_switch_declined"
YES, NO = "yes", "no"

# What the new flow does (after "Do you want to …") and what the current one is (after
# "rather than …"), in each language.
_NEW = {
    "report_damaged_product": ("report damage", "reportar un daño"),
    "report_software_error": ("report an app error", "reportar un error de una app"),
    "report_payment_problem": ("sort out a payment", "resolver un problema con un pago"),
    "request_return": ("make a return", "hacer una devolución"),
    "report_appliance_fault": ("report an appliance fault", "reportar una avería de un equipo"),
}
_CURRENT = {
    "report_damaged_product": ("the damage report", "el reporte del daño"),
    "report_software_error": ("the app error", "el error de la app"),
    "report_payment_problem": ("the payment problem", "el problema del pago"),
    "request_return": ("the return", "la devolución"),
    "report_appliance_fault": ("the appliance fault", "la avería del equipo"),
}


def _pick(table: dict[str, tuple[str, str]], use_case: str, language: str) -> str:
    en, es = table.get(use_case, (use_case, use_case))
    return es if language == "es" else en


def offer_params(*, current: str, new: str, language: str) -> dict[str, str]:
    """The {new} and {current} of ``utter_confirm_switch``."""
    return {"new": _pick(_NEW, new, language), "current": _pick(_CURRENT, current, language)}


def make_offer(*, to: str, text: str | None) -> dict[str, Any]:
    return {"to": to, "text": (text or "")[:1000]}


def pending(slots: dict[str, Any]) -> dict[str, Any] | None:
    """The switch the bot asked about and the customer has not answered yet."""
    offer = slots.get(SWITCH_SLOT)
    if isinstance(offer, dict) and isinstance(offer.get("to"), str) and offer["to"] in _NEW:
        return offer
    return None


def answer(intent: str | None, *, offer: dict[str, Any], current: str) -> str | None:
    """Yes / No to the question (typed or tapped), or None when the customer did something
    else: then the question lapses and the turn counts for the flow they are in. Naming a
    flow is an answer too: "no, I'm keeping the return" stays, "yes, it's the damage" goes."""
    if intent == "affirm" or intent == offer.get("to"):
        return YES
    if intent in ("deny", current):
        return NO
    return None


def answers_step(requested: Step | None, turn: Turn) -> bool:
    """Words that answer the fact step asked for, whatever else the NLU heard in them
    ("order 12345, they arrived broken" at the order step): no switch, no question."""
    text = (turn.text or "").strip()
    if requested is None or requested.type != FACT or requested.pattern is None:
        return False
    return not text.startswith("/") and requested.typed_value(text) is not None


def ask_before_switch(requested: Step | None, turn: Turn) -> bool:
    """A typed sentence that reads as another use case, inside a step: ask before
    switching. A tapped use-case button (its payload) is a clear request: no question."""
    text = (turn.text or "").strip()
    if requested is None or turn.intent not in USE_CASE_INTENTS:
        return False
    return bool(text) and not text.startswith("/")


def start(flow: Flow, turn: Turn, state: State) -> None:
    """The flow begins: what the customer already wrote fills its steps (one line says so).
    After a switch tapped on its button, the words are the ones that asked for it."""
    if pending(turn.slots):
        state.fill(SWITCH_SLOT, None)  # a question about another flow lapses here
    note(flow, start_text(flow, turn), turn, state)


def start_text(flow: Flow, turn: Turn) -> str:
    """The words a flow starts from: the message, or, when the message is the tap on this
    flow's button that answered "Do you want to …?", the words that asked for it."""
    offer = pending(turn.slots)
    text = turn.text or ""
    if offer and offer["to"] == flow.use_case and text.startswith("/"):
        return str(offer["text"])
    return text


def note(flow: Flow, text: str, turn: Turn, state: State) -> None:
    """Fill the flow's steps the words answer, keep their fields, and say so in one line."""
    found = prefill(flow, text=text, language=turn.language, slots=turn.slots, known=state.fields)
    for slot, value in found.slots.items():
        state.fill(slot, value)
    if found.fields:
        state.fields.extend(found.fields)
        state.changed.add("fields")
    if found.noted:
        state.say(NOTED, noted=found.noted_text())


def switch(turn: Turn, offer: dict[str, Any]) -> TurnOutcome:
    """Yes to "Do you want to … rather than …?": this form stops without asking anything,
    the new one runs next (``followup``) with what the customer wrote already in it."""
    new = flow_for_use_case(offer["to"])
    state = State.from_turn(turn)
    state.fill(SWITCH_SLOT, None)
    state.fill("requested_slot", None)  # ends this form early (no re-ask)
    if new is not None:
        note(new, offer["text"], turn, state)
    outcome = state.outcome()
    outcome.followup = new.form if new is not None else None
    outcome.switch_text = offer["text"]
    return outcome
