"""Guided capture: what each use case asks for, and how each customer turn is judged.

``flows`` declares the five use cases' steps (media with the analysis purpose they need,
and facts that can be read from the media or typed); ``engine.handle_turn`` decides, for
one customer message inside a capture form, which slots to fill and what to tell the
customer. The Rasa form validation actions (actions/capture.py) only translate.
"""

from helpdesk.capture.engine import Reply, Turn, TurnOutcome, handle_turn
from helpdesk.capture.flows import FLOWS, Flow, Step, flow_for_form

__all__ = [
    "FLOWS",
    "Flow",
    "Reply",
    "Step",
    "Turn",
    "TurnOutcome",
    "flow_for_form",
    "handle_turn",
]
