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

from collections.abc import Callable
from typing import Any

from helpdesk.capture.deadends import (
    CANNOT_NOW,
    CONTINUE_WITHOUT,
    HUSH_SLOT,
    SELF_CONTAINED,
    SEND_LATER,
    VOICE_NOTE,
    WAITING,
    WAYS_ON,
    dead_end_intent,
)
from helpdesk.capture.flows import (
    FACT,
    FLOWS,
    MEDIA,
    PAYMENT,
    SKIPPED,
    Flow,
    Step,
    purpose_for,
)
from helpdesk.capture.prefill import TYPED, labelled_value
from helpdesk.capture.summary import payment_value
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
HELD = "held:"  # prefix of a media slot value awaiting its flow (see held_value)

# Shorter than this, a message cannot describe a new problem ("come on", "hello??"), so it
# never takes the customer out of the flow they are in, whatever the NLU heard in it.
MIN_SWITCH_WORDS = 3

LEAVING_INTENTS = frozenset({*USE_CASE_INTENTS, "request_human", "cancel", "delete_my_data"})

Analyse = Callable[..., "dict[str, Any] | None"]


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
    held = _judge_held_media(flow, turn, state, max_tries=max_tries, analyse=analyse)
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
        _on_media(flow, turn, state, requested, max_tries=max_tries, analyse=analyse)
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
        _offer_ways_on(requested, state)
    elif turn.intent == "skip":
        _on_skip(requested, state, max_tries=max_tries)
    elif requested.type == FACT:
        _on_fact(requested, turn, state)
    elif _typed_identifier(requested, turn, state):
        pass
    else:
        _on_other_text(requested, state)
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


def _offer_ways_on(step: Step, state: State) -> None:
    """One message with the ways on, instead of the same request again; asked once per
    step: "can't" or "skip" again after it means going on without (never the same list)."""
    key = f"{step.slot}:ways_on"
    if state.failures.get(key):
        state.fill(step.slot, SKIPPED)
        state.say("utter_step_skipped")
        return
    state.failures[key] = 1
    state.changed.add("failures")
    state.fill(step.slot, None)
    state.say(WAYS_ON)


def _on_other_text(step: Step, state: State) -> None:
    """Words where media was asked: a pointer, then the ways on, in turn (never one message
    three times running)."""
    key = f"{step.slot}:text"
    state.failures[key] = state.failures.get(key, 0) + 1
    state.changed.add("failures")
    state.fill(step.slot, None)
    if state.failures[key] % 2 == 0:
        state.say(WAYS_ON)
    else:
        state.say("utter_need_media")


def _on_media(
    flow: Flow,
    turn: Turn,
    state: State,
    requested: Step | None,
    *,
    max_tries: int,
    analyse: Analyse,
) -> None:
    items = turn.metadata.get("media") or []
    if not items:
        state.say("utter_media_unreadable")
        return
    for item in items:
        kind = str(item.get("kind") or "")
        if kind == "audio":
            # Kept in the media store and the transcript for the agent (casefile).
            state.say(VOICE_NOTE)
            continue
        step = _step_for(flow, turn, requested, kind, state)
        if step is None:
            expected = requested.kinds if requested is not None and requested.type == MEDIA else ()
            state.say("utter_wrong_media", expected=_kinds_text(expected, turn.language))
            continue
        analysis = analyse(
            item.get("id"),
            purpose=purpose_for(step, kind),
            language=turn.language,
            sender_id=turn.sender_id,
        )
        if analysis is None:
            state.say("utter_media_unreadable")
        elif analysis.get("accepted"):
            _accept(flow, step, item, analysis, state)
        else:
            _refuse(step, analysis, state, max_tries=max_tries)
    caption = (turn.metadata.get("caption") or "").strip()
    if caption:
        _read_caption(flow, turn, caption, state)


def held_value(kind: str, media_id: Any) -> str:
    """The slot value of media sent before its flow started: judged when the flow starts."""
    return f"{HELD}{kind}:{media_id}"


def _judge_held_media(
    flow: Flow, turn: Turn, state: State, *, max_tries: int, analyse: Analyse
) -> bool:
    """Analyse media the customer sent before this flow began, for the step it fills."""
    judged = False
    for step in flow.steps:
        value = turn.slots.get(step.slot)
        if not (isinstance(value, str) and value.startswith(HELD)):
            continue
        kind, _, media_id = value[len(HELD) :].partition(":")
        item = {"id": media_id, "kind": kind}
        analysis = analyse(
            media_id,
            purpose=purpose_for(step, kind),
            language=turn.language,
            sender_id=turn.sender_id,
        )
        if analysis is None:
            state.fill(step.slot, None)
            state.say("utter_media_unreadable")
        elif analysis.get("accepted"):
            _accept(flow, step, item, analysis, state)
        else:
            _refuse(step, analysis, state, max_tries=max_tries)
        judged = True
    return judged


def _step_for(
    flow: Flow, turn: Turn, requested: Step | None, kind: str, state: State
) -> Step | None:
    if requested is not None and requested.accepts(kind) and requested.slot not in state.slots:
        return requested
    for step in flow.steps:
        empty = turn.slots.get(step.slot) is None and state.slots.get(step.slot) is None
        if empty and step.accepts(kind):
            return step
    return None


def _accept(
    flow: Flow, step: Step, item: dict[str, Any], analysis: dict[str, Any], state: State
) -> None:
    state.fill(step.slot, str(item.get("id")))
    found = analysis.get("fields") or []
    for found_field in found:
        state.fields.append({**found_field, "media_id": item.get("id"), "step": step.slot})
    state.changed.add("fields")
    read_back = False
    for fact in flow.steps:
        if fact.type != FACT or fact.field_type is None:
            continue
        if fact.field_type == PAYMENT:
            best = payment_value(found)
            read_back = best is not None
        else:
            best = _best_field(found, fact.field_type)
        if best is not None:
            state.candidates[fact.slot] = best
            state.changed.add("candidates")
    if not read_back:  # otherwise what was read is said next, as the question to confirm
        state.say("utter_media_accepted")


def _refuse(step: Step, analysis: dict[str, Any], state: State, *, max_tries: int) -> None:
    state.failures[step.slot] = state.failures.get(step.slot, 0) + 1
    state.changed.add("failures")
    problems = [p for p in analysis.get("problems") or [] if p.get("severity") == "error"]
    reason = problems[0]["message"] if problems else ""
    state.fill(step.slot, None)
    state.say("utter_media_refused", reason=reason)
    if state.failures[step.slot] >= max_tries:
        state.say(WAYS_ON)


def _read_caption(flow: Flow, turn: Turn, caption: str, state: State) -> None:
    for step in flow.steps:
        if step.type != FACT or turn.slots.get(step.slot) is not None:
            continue
        if step.slot in state.slots and state.slots[step.slot] is not None:
            continue
        value = step.typed_value(caption)
        if value is not None and (step.pattern is not None or step.field_type is None):
            state.fill(step.slot, value)


def _typed_identifier(step: Step, turn: Turn, state: State) -> bool:
    """A label step also takes the model or serial number typed out, when it looks like
    one (the step's pattern); it goes on the ticket as a field read from the customer."""
    text = turn.text or ""
    if step.pattern is None or not text or text.startswith("/"):
        return False
    value = step.typed_value(text.upper())
    if value is None:
        return False
    state.fill(step.slot, TYPED + value)
    state.fields.append(
        {"type": "model_number", "value": value, "confidence": 1.0, "source": "typed",
         "step": step.slot}
    )  # fmt: skip
    state.changed.add("fields")
    return True


def _on_skip(step: Step, state: State, *, max_tries: int) -> None:
    if step.optional or state.failures.get(step.slot, 0) >= max_tries:
        state.fill(step.slot, SKIPPED)
        state.say("utter_step_skipped")
    else:
        # A required step: say what skipping means instead of refusing it.
        _offer_ways_on(step, state)


def _on_fact(step: Step, turn: Turn, state: State) -> None:
    candidate = state.candidates.get(step.slot)
    if candidate is not None and turn.intent == "affirm":
        state.fill(step.slot, candidate)
        return
    if candidate is not None and turn.intent == "deny":
        del state.candidates[step.slot]
        state.changed.add("candidates")
        state.fill(step.slot, None)
        return
    value = labelled_value(step, turn.text, turn.language) or (
        step.typed_value(turn.text or "") if turn.text and not turn.text.startswith("/") else None
    )
    if value is None:
        state.fill(step.slot, None)
        # Every second miss, the ways on instead of the same correction again.
        key = f"{step.slot}:text"
        state.failures[key] = state.failures.get(key, 0) + 1
        state.changed.add("failures")
        state.say(WAYS_ON if state.failures[key] % 2 == 0 else "utter_fact_not_understood")
    else:
        state.fill(step.slot, value)


def _best_field(fields: list[dict[str, Any]], field_type: str) -> str | None:
    matching = [f for f in fields if f.get("type") == field_type and f.get("value")]
    if not matching:
        return None
    return str(max(matching, key=lambda f: float(f.get("confidence") or 0))["value"])


_KIND_WORDS = {
    "en": {"image": "a photo", "video": "a video", "document": "a PDF"},
    "es": {"image": "una foto", "video": "un video", "document": "un PDF"},
}


def _kinds_text(kinds: tuple[str, ...], language: str) -> str:
    words = _KIND_WORDS.get(language, _KIND_WORDS["en"])
    names = [words[kind] for kind in kinds if kind in words]
    joiner = " o " if language == "es" else " or "
    return joiner.join(names) if names else words["image"]


def hold_media(items: list[dict[str, Any]], slots: dict[str, Any]) -> dict[str, str]:
    """Media sent before any flow: park each in the first empty step of every flow that
    takes its kind, so whichever flow the customer then chooses starts with it."""
    held: dict[str, str] = {}
    for item in items:
        kind = str(item.get("kind") or "")
        for flow in FLOWS:
            for step in flow.steps:
                if step.accepts(kind) and slots.get(step.slot) is None and step.slot not in held:
                    held[step.slot] = held_value(kind, item.get("id"))
                    break
    return held


def release_held_media(slots: dict[str, Any]) -> list[str]:
    """Slots still holding media for a flow that never started (to clear after a flow)."""
    return [
        name for name, value in slots.items() if isinstance(value, str) and value.startswith(HELD)
    ]
