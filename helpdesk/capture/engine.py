"""One customer turn inside a capture form: which slots to fill, what to say.

The Rasa form asks for the next empty slot by itself (``utter_ask_<slot>`` or
``action_ask_<slot>``); this engine only judges what the customer sent:

- media → analysed for the step it fits (the requested one, or an earlier/later step that
  takes this kind, so the customer may send things in their own order); accepted media
  fill the slot and facts read from them become candidates to confirm; refused media get
  the specific problem and advice, and after ``max_tries`` refusals the customer is offered
  to continue without it or to talk to a person;
- the caption of a photo is read as text (it may hold the order number or the app name);
- typed facts are checked against the step's pattern; a candidate read from the media is
  confirmed with yes/no;
- intents that leave the flow (another use case, a person, cancel, erasure) are not
  handled here, so the dialogue's rules take over.
"""

from __future__ import annotations

from helpdesk.capture.deadends import (
    CANNOT_NOW,
    CONTINUE_WITHOUT,
    HUSH_SLOT,
    SELF_CONTAINED,
    SEND_LATER,
    WAITING,
    dead_end_intent,
)
from helpdesk.capture.flows import FACT, MEDIA, SKIPPED, Flow
from helpdesk.capture.media_steps import (
    Analyse,
    hold_media,
    judge_held_media,
    judge_media,
    release_held_media,
)
from helpdesk.capture.switch import (
    CONFIRM_SWITCH,
    NO,
    SWITCH_DECLINED,
    SWITCH_SLOT,
    YES,
    answer,
    answers_step,
    ask_before_switch,
    make_offer,
    offer_params,
    pending,
    start,
    switch,
)
from helpdesk.capture.text_steps import (
    offer_ways_on,
    on_fact,
    on_other_text,
    on_skip,
    typed_identifier,
)
from helpdesk.capture.turn import (
    CANDIDATES_SLOT,
    FAILURES_SLOT,
    FIELDS_SLOT,
    Reply,
    State,
    Turn,
    TurnOutcome,
)
from helpdesk.conversation import USE_CASE_INTENTS

__all__ = [  # the slot names live with the turn; the adapters know them from here
    "CANDIDATES_SLOT",
    "FAILURES_SLOT",
    "FIELDS_SLOT",
    "FIX_PENDING_SLOT",
    "Reply",
    "Turn",
    "TurnOutcome",
    "handle_turn",
    "hold_media",
    "release_held_media",
]

FIX_PENDING_SLOT = "fix_pending"  # a fix from the customer's words awaits "did it work?"

# Shorter than this, a message cannot describe a new problem ("come on", "hello??"), so it
# never takes the customer out of the flow they are in, whatever the NLU heard in it.
MIN_SWITCH_WORDS = 3

LEAVING_INTENTS = frozenset({*USE_CASE_INTENTS, "request_human", "cancel", "delete_my_data"})


def handle_turn(flow: Flow, turn: Turn, *, max_tries: int, analyse: Analyse) -> TurnOutcome:
    requested = flow.step(turn.requested_slot)
    offer = pending(turn.slots) if requested is not None else None
    said = answer(turn.intent, offer=offer, current=flow.use_case) if offer else None
    if offer and said == YES:
        return switch(turn, offer)
    # "I don't have a photo, they're in the box" inside a return is about the return's
    # photo, even when the NLU hears a damaged delivery in it: the flow in progress wins.
    way_on = dead_end_intent(turn.intent, turn.text) if requested is not None else None
    if way_on == SEND_LATER and turn.intent == SEND_LATER:
        return TurnOutcome(handled=False)  # the dialogue pauses the form (dead_ends rules)
    # The flow's own use case is not a switch: "the bank app on android" typed as the app
    # name reads as report_software_error to the NLU, and belongs to this very flow.
    leaving = turn.intent in LEAVING_INTENTS and turn.intent != flow.use_case
    if leaving and turn.intent in USE_CASE_INTENTS and not _clear_request(turn.text):
        leaving = False  # "come on" is no new request: the flow in progress keeps it
    if leaving and answers_step(requested, turn):
        leaving = False
    if leaving and way_on is None and not ask_before_switch(requested, turn):
        return TurnOutcome(handled=False)
    fix_pending = bool(turn.slots.get(FIX_PENDING_SLOT)) and requested is not None
    if fix_pending and turn.intent == "affirm":
        return TurnOutcome(handled=False)  # the fix from the words worked (dead_ends rules)
    state = State.from_turn(turn)
    if offer:
        state.fill(SWITCH_SLOT, None)  # answered, or lapsed: the customer did something else
    if requested is None and turn.intent == flow.use_case:
        start(flow, turn, state)
    held = judge_held_media(flow, turn, state, max_tries=max_tries, analyse=analyse)
    if leaving and way_on is None:
        # Another use case, typed: the flow in progress wins until the customer says yes.
        state.fill(requested.slot, turn.slots.get(requested.slot))
        state.fill(SWITCH_SLOT, make_offer(to=str(turn.intent), text=turn.text))
        state.say(CONFIRM_SWITCH, **offer_params(current=flow.use_case, new=str(turn.intent),
                                                  language=turn.language))  # fmt: skip
        state.slots[HUSH_SLOT] = requested.slot  # the question is this turn's request
        return state.outcome()
    if said == NO:
        state.say(SWITCH_DECLINED)
    elif fix_pending and turn.intent == "deny" and requested.type == MEDIA:
        # Now the media would change the answer: ask for it (the form's ask follows).
        state.fill(FIX_PENDING_SLOT, False)
        state.fill(requested.slot, None)
        state.say("utter_fix_did_not_help_send_media")
    elif turn.intent == "media_shared":
        judge_media(flow, turn, state, requested, max_tries=max_tries, analyse=analyse)
    elif requested is None:
        noted = held or state.slots or state.replies or state.changed
        return state.outcome() if noted else TurnOutcome(handled=False)
    elif way_on == CONTINUE_WITHOUT:
        state.fill(requested.slot, SKIPPED)
        state.say("utter_step_skipped")
    elif way_on == SEND_LATER:
        # "later" the NLU took for a goodbye: the form waits right here for the media.
        state.fill(requested.slot, None)
        state.say(WAITING)
    elif way_on == CANNOT_NOW:
        offer_ways_on(requested, state)
    elif turn.intent == "skip":
        on_skip(requested, state, max_tries=max_tries)
    elif requested.type == FACT:
        on_fact(requested, turn, state)
    elif typed_identifier(requested, turn, state):
        pass
    else:
        on_other_text(requested, state)
    if requested is not None and requested.slot not in state.slots:
        # Always answer for the requested slot, so the form re-asks instead of rejecting.
        state.slots[requested.slot] = turn.slots.get(requested.slot)
    if requested is not None and any(r.response in SELF_CONTAINED for r in state.replies):
        state.slots[HUSH_SLOT] = requested.slot
    return state.outcome()


def _clear_request(text: str | None) -> bool:
    """A button (its payload) or a sentence that describes something: a few words at least."""
    words = (text or "").strip()
    return words.startswith("/") or len(words.split()) >= MIN_SWITCH_WORDS
