"""Words in a capture form: a fact typed or a candidate confirmed, an identifier typed
where its label was asked, a skip, words where media was asked, and the ways on.
"""

from __future__ import annotations

from helpdesk.capture.deadends import WAYS_ON
from helpdesk.capture.flows import SKIPPED, Step
from helpdesk.capture.prefill import TYPED, labelled_value
from helpdesk.capture.turn import State, Turn


def offer_ways_on(step: Step, state: State) -> None:
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


def on_other_text(step: Step, state: State) -> None:
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


def typed_identifier(step: Step, turn: Turn, state: State) -> bool:
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


def on_skip(step: Step, state: State, *, max_tries: int) -> None:
    """The customer asked to skip the step: skipped if optional or tried enough."""
    if step.optional or state.failures.get(step.slot, 0) >= max_tries:
        state.fill(step.slot, SKIPPED)
        state.say("utter_step_skipped")
    else:
        # A required step: say what skipping means instead of refusing it.
        offer_ways_on(step, state)


def on_fact(step: Step, turn: Turn, state: State) -> None:
    """Words where a fact was asked: a yes/no to the candidate read from media, or the
    fact typed (labelled or matching the step's pattern)."""
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
