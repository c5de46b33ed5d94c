"""Run one customer turn through a capture form, as the form validation actions do."""

from __future__ import annotations

from typing import Any

from helpdesk.capture import Turn, TurnOutcome, flow_for_form, handle_turn
from helpdesk.capture.media import analyse_stored_media


def run_turn(form: str, requested: str | None, intent: str, **kwargs: Any) -> TurnOutcome:
    """The outcome of one turn in ``form`` while ``requested`` is asked (3 tries per step)."""
    turn = Turn(form=form, requested_slot=requested, intent=intent, **kwargs)
    return handle_turn(flow_for_form(form), turn, max_tries=3, analyse=analyse_stored_media)


def responses(outcome: TurnOutcome) -> list[str]:
    """The names of the responses the bot says, in order."""
    return [reply.response for reply in outcome.replies]
