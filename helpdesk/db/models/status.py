"""A ticket's states, in one place for the lifecycle, the console API and its templates.

``waiting_for_agent`` (handed off, in the queue, the bot is paused) → ``with_agent`` (an
agent took it or replied) → ``resolved`` (closed by an agent; the bot resumes and asks for
the score) or ``closed`` (cancelled by the customer, or closed without a resolution).
``open`` is a case the bot handles again after a hand back.

The values are the strings stored in ``tickets.status``; a ``str`` enum compares equal to
them, so rows written before the enum existed read the same.
"""

from __future__ import annotations

from enum import Enum


class TicketStatus(str, Enum):
    OPEN = "open"
    WAITING_FOR_AGENT = "waiting_for_agent"
    WITH_AGENT = "with_agent"
    RESOLVED = "resolved"
    CLOSED = "closed"

    def __str__(self) -> str:
        return self.value


# A person holds the case: the bot stays quiet and the customer's messages go to the agent.
ACTIVE: tuple[TicketStatus, ...] = (TicketStatus.WAITING_FOR_AGENT, TicketStatus.WITH_AGENT)
# The case is over; the bot owns the conversation again.
FINISHED: tuple[TicketStatus, ...] = (TicketStatus.RESOLVED, TicketStatus.CLOSED)


class Delivery(str, Enum):
    """What became of an agent's reply to the customer (``ticket_messages.delivery``)."""

    SENT = "sent"
    TEMPLATE = "template"  # outside the 24-hour window: the approved template went instead
    NOT_SENT = "not_sent"  # outside the window and no template configured
    FAILED = "failed"

    def __str__(self) -> str:
        return self.value


class HandoffReason(str, Enum):
    """Why a case went to a person (``tickets.handoff_reason``), as the dashboard counts it."""

    CUSTOMER_ASKED = "customer_asked"
    CAPTURE_FAILED = "capture_failed"
    NOTHING_FOUND = "nothing_found"  # triage knew no fix, or the fixes tried did not help
    SAFETY_OR_FRAUD = "safety_or_fraud"  # a knowledge-base entry that always hands off, or
    # authenticity signals that put the case on the fraud queue

    def __str__(self) -> str:
        return self.value
