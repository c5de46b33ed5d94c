"""What the channel does next when Meta refuses or fails a message, by Meta's error code.

Meta answers some errors at once (the ``/messages`` call fails) and reports others later in
a ``failed`` status webhook; the reaction depends on the code, not on where it came from:

- 130429 throughput reached, and the other transient codes the ``GraphClient`` retries at
  once (``RETRYABLE_CODES``: temporary errors, 131000 "something went wrong") → resend
  after 5 s, then 10 s;
- 131056 too many messages to this one customer in a short time (pair rate limit) → wait
  (Meta lets a business send about one message every 6 seconds to one user), then retry;
- 131048 spam rate limit (too many of our messages were blocked or reported) → wait a
  minute, retry once, and tell the agent: hammering makes the number's quality worse;
- 131047 more than 24 hours since the customer wrote → the configured template instead;
- 131026 undeliverable (no WhatsApp, blocked us, old app) and 368 (the number is blocked
  for policy violations) → stop, send nothing more, tell the agent;
- anything else → nothing beyond the record of the error (a rich body Meta refused is
  replaced by plain text by the ``Sender``).

The wait before a resend is this map's alone (``Reaction.wait``): the reaction's delay,
doubled for each later resend of the same message; the ``Sender`` only counts the resends.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from helpdesk.whatsapp.graph import RETRYABLE_CODES


class NextStep(str, Enum):
    RETRY = "retry"
    TEMPLATE = "template"
    STOP = "stop"
    NOTHING = "nothing"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Reaction:
    step: NextStep
    delay: float = 0.0  # seconds to wait before the first resend
    tell_agent: str | None = None  # the note agents read, when they must know

    def wait(self, resend: int) -> float:
        """Seconds before resend number ``resend`` (1, 2, …) of one message: doubling."""
        return self.delay * 2 ** max(resend - 1, 0)


UNDELIVERABLE = (
    "WhatsApp could not deliver our messages to this customer (error 131026: no WhatsApp "
    "account, an outdated app, or they blocked this number). Reach them another way."
)
POLICY_BLOCK = (
    "Meta has blocked this WhatsApp number for policy violations (error 368): no message "
    "can go out until the block ends. Check WhatsApp Manager; reach the customer another way."
)
SPAM_LIMIT = (
    "Meta is limiting how many messages this WhatsApp number may send (error 131048, too "
    "many messages blocked or reported as spam). Replies may be late; keep them short."
)

REACTIONS: dict[int, Reaction] = {
    130429: Reaction(NextStep.RETRY, delay=5.0),
    131056: Reaction(NextStep.RETRY, delay=6.0),
    131048: Reaction(NextStep.RETRY, delay=60.0, tell_agent=SPAM_LIMIT),
    131047: Reaction(NextStep.TEMPLATE),
    131026: Reaction(NextStep.STOP, tell_agent=UNDELIVERABLE),
    368: Reaction(NextStep.STOP, tell_agent=POLICY_BLOCK),
}
NOTHING = Reaction(NextStep.NOTHING)
TRANSIENT = Reaction(NextStep.RETRY, delay=5.0)


def reaction_for(code: int | str | None) -> Reaction:
    try:
        number = int(code) if code is not None else None
    except (TypeError, ValueError):  # a code from a webhook is untrusted
        return NOTHING
    if number in REACTIONS:
        return REACTIONS[number]
    return TRANSIENT if number in RETRYABLE_CODES else NOTHING
