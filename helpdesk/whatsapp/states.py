"""The states of the channel's rows, stored as these strings in ``whatsapp_inbox.status`` and
``whatsapp_outbound.status``.

A ``str`` enum compares equal to the stored string, so rows written before the enums existed
read the same, and Meta's status strings (``webhook.Status.status``, untrusted) compare with
them directly.
"""

from __future__ import annotations

from enum import Enum


class InboxStatus(str, Enum):
    """pending → processing → done, or failed (poison: the customer was told)."""

    PENDING = "pending"
    PROCESSING = "processing"
    DONE = "done"
    FAILED = "failed"

    def __str__(self) -> str:
        return self.value


class OutboundStatus(str, Enum):
    """queued → accepted → sent → delivered → read (→ played for voice), or failed (Meta's
    status after accepting) / error (Meta never accepted it)."""

    QUEUED = "queued"
    ERROR = "error"
    ACCEPTED = "accepted"
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    PLAYED = "played"
    FAILED = "failed"

    def __str__(self) -> str:
        return self.value


# How far a message got; a status never moves a message backwards (statuses arrive out of
# order). ``failed`` has no rank: it is applied whenever Meta reports it.
OUTBOUND_RANK: dict[str, int] = {
    OutboundStatus.QUEUED: 0,
    OutboundStatus.ERROR: 0,
    OutboundStatus.ACCEPTED: 1,
    OutboundStatus.SENT: 2,
    OutboundStatus.DELIVERED: 3,
    OutboundStatus.READ: 4,
    OutboundStatus.PLAYED: 5,
}


class FailureHandling(str, Enum):
    """Who reacts to a failed delivery status (a resend, a note to the agent)."""

    HERE = "here"  # the process that received the status (one process runs the channel)
    HAND_OVER = "hand over"  # the ingest: it only acknowledges; the worker reacts, via Redis
    TAKEN = "taken"  # the worker process: its own failures and those handed over
