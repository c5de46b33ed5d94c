"""One customer turn inside a capture form, and what the turn decides (slots, replies).

Shared by the engine (helpdesk.capture.engine) and the features it calls on
(helpdesk.capture.switch, helpdesk.capture.prefill): plain data, no Rasa.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FAILURES_SLOT = "capture_failures"
CANDIDATES_SLOT = "fact_candidates"
FIELDS_SLOT = "captured_fields"


@dataclass
class Turn:
    form: str
    requested_slot: str | None
    intent: str | None
    text: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    slots: dict[str, Any] = field(default_factory=dict)
    language: str = "en"
    # Whose turn it is: media ids resolve only among this customer's own records (metadata
    # is untrusted, over the REST channel it comes straight from the request).
    sender_id: str = ""


@dataclass
class Reply:
    """A domain response to send, with the values for its {placeholders}."""

    response: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class TurnOutcome:
    slots: dict[str, Any] = field(default_factory=dict)
    replies: list[Reply] = field(default_factory=list)
    handled: bool = True
    followup: str | None = None  # the form to run next: a switch the customer confirmed
    switch_text: str | None = None  # the words that asked for it (for the fix from words)


@dataclass
class State:
    failures: dict[str, int]
    candidates: dict[str, str]
    fields: list[dict[str, Any]]
    language: str
    slots: dict[str, Any] = field(default_factory=dict)
    replies: list[Reply] = field(default_factory=list)
    changed: set[str] = field(default_factory=set)

    @classmethod
    def from_turn(cls, turn: Turn) -> State:
        return cls(
            failures=dict(turn.slots.get(FAILURES_SLOT) or {}),
            candidates=dict(turn.slots.get(CANDIDATES_SLOT) or {}),
            fields=list(turn.slots.get(FIELDS_SLOT) or []),
            language=turn.language,
        )

    def fill(self, slot: str, value: Any) -> None:
        self.slots[slot] = value

    def say(self, response: str, **params: Any) -> None:
        self.replies.append(Reply(response, params))

    def outcome(self) -> TurnOutcome:
        slots = dict(self.slots)
        if "failures" in self.changed:
            slots[FAILURES_SLOT] = self.failures
        if "candidates" in self.changed:
            slots[CANDIDATES_SLOT] = self.candidates
        if "fields" in self.changed:
            slots[FIELDS_SLOT] = self.fields
        return TurnOutcome(slots=slots, replies=self.replies)
