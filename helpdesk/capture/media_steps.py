"""Media in a capture form: which step it fills, its analysis accepted or refused (with the
facts read from it as candidates to confirm), the photo's caption read as text, and media
sent before any flow, held for the flow the customer then chooses.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from helpdesk.capture.deadends import VOICE_NOTE, WAYS_ON
from helpdesk.capture.flows import FACT, FLOWS, MEDIA, PAYMENT, Flow, Step, purpose_for
from helpdesk.capture.summary import payment_value
from helpdesk.capture.turn import State, Turn

HELD = "held:"  # prefix of a media slot value awaiting its flow (see held_value)

Analyse = Callable[..., "dict[str, Any] | None"]


def judge_media(
    flow: Flow,
    turn: Turn,
    state: State,
    requested: Step | None,
    *,
    max_tries: int,
    analyse: Analyse,
) -> None:
    """Media the customer sent in this turn: each analysed for the step it fits, then the
    caption read as text."""
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


def judge_held_media(
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
