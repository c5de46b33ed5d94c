"""Reuse across claims: a stored media's fingerprint against every other stored one.

A match counts when the earlier media belongs to another customer, or to the same customer
in a case that is already over (resolved or closed). The same photo sent twice in one
conversation (resent after a "too dark", or for two steps) is not a signal. Between two app
screens the fingerprint's match must be confirmed by their content (``content.py``): the
same app's frame around different payments or photos is not reuse.

A match whose read fields differ (the amount, the date, the transaction id, the payee) is
an edited copy (``copies.py``): ``edited_copy``, strong whatever the picture, with both
values and where each is. That one is reported in the same conversation too (notable
there): a screen sent again with its amount changed is not a resend.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk.db.models import MediaRecord, Ticket
from helpdesk.db.models.status import FINISHED
from helpdesk.media.authenticity import copies, index
from helpdesk.media.authenticity.content import Content, same_content
from helpdesk.media.authenticity.fingerprint import Fingerprint
from helpdesk.media.authenticity.signals import Code, Severity, Signal

MAX_SIGNALS = 3


def record_and_check(
    session: Session,
    *,
    media_id: int,
    sender_id: str,
    fingerprint: Fingerprint,
    content: Content,
) -> list[Signal]:
    """Look ``media_id``'s fingerprint up among the stored ones, then store it; the reuse
    signals found (best matches first).

    ``content``: what the analysis read. A screenshot or rendered document matching is
    notable (the agent sees both pictures), not strong (no fraud queue): honest customers
    send near-identical screenshots of the same app's error dialog; a camera photo matching
    is strong."""
    digital = content.digital
    found = index.find(session, fingerprint=fingerprint, exclude_media=[media_id])
    judged = judge(session, matches=found, fingerprint=fingerprint, content=content)
    index.add(session, media_id=media_id, sender_id=sender_id, fingerprint=fingerprint)
    closed_media = _finished_case_media(session, sender_id=sender_id) if judged else {}
    signals: list[Signal] = []
    for match, differences in judged:
        if match.media_id > media_id:
            continue  # a later file: that one's own check reports the pair
        if match.sender_id != sender_id:
            code, whose = Code.REUSED_OTHER_CUSTOMER, "another customer"
            case = None
        elif match.media_id in closed_media:
            code, whose = Code.REUSED_EARLIER_CASE, "this customer in an earlier, closed case"
            case = closed_media[match.media_id]
        elif differences:
            code, whose = Code.EDITED_COPY, "this customer earlier in this conversation"
            case = None
        else:
            continue  # same customer, same conversation
        earlier = session.get(MediaRecord, match.media_id)
        where = (
            f"media #{match.media_id}, sent by {whose}"
            + (f" (ticket #{case})" if case else "")
            + (f" on {earlier.created_at:%Y-%m-%d}" if earlier is not None else "")
        )
        evidence = _evidence(media_id, match, case)
        if differences:
            evidence["differences"] = [d.to_dict() for d in differences]
            # Whose earlier picture it is: another customer's, an earlier case's, or this
            # conversation's (``code`` is EDITED_COPY only for the last).
            evidence["earlier"] = {
                Code.REUSED_OTHER_CUSTOMER: "other_customer",
                Code.REUSED_EARLIER_CASE: "earlier_case",
            }.get(code, "same_conversation")
            signals.append(
                Signal(
                    Code.EDITED_COPY,
                    Severity.NOTABLE if code == Code.EDITED_COPY else Severity.STRONG,
                    f"This picture matches {where}, but {copies.describe(differences)}. The "
                    "same picture with a figure or a name changed is how a payment "
                    "screenshot or a receipt is edited: compare both pictures (the "
                    "differences are marked) and check the payment in your own records "
                    "before granting anything."
                    + (
                        ""
                        if digital
                        else " On a photo the reading may be off by a digit: look at the "
                        "marked field on both pictures."
                    ),
                    evidence,
                    region=differences[0].here_region,
                )
            )
        else:
            signals.append(
                Signal(
                    code,
                    Severity.NOTABLE if digital else Severity.STRONG,
                    f"This picture matches {where}. Compare the two side by side: the same "
                    "photo, even cropped, resized or recoloured, should not support two "
                    "claims.",
                    evidence,
                )
            )
        if len(signals) >= MAX_SIGNALS:
            break
    return signals


def judge(
    session: Session, *, matches: list[index.Match], fingerprint: Fingerprint, content: Content
) -> list[tuple[index.Match, list[copies.Difference]]]:
    """The fingerprint matches that are reuse (no differences) or an edited copy (the
    read fields that differ), in the index's order."""
    kept: list[tuple[index.Match, list[copies.Difference]]] = []
    for match in matches:
        earlier = session.get(MediaRecord, match.media_id)
        known = Content.of(earlier.analysis if earlier is not None else None)
        if content.digital and known.digital:
            edited = copies.edited_screen(content, known)
            if edited:
                kept.append((match, edited))
                continue
            earlier_print = index.stored(session, media_id=match.media_id)
            if same_content(content, known, fingerprint, earlier_print):
                kept.append((match, []))
            continue
        kept.append((match, copies.edited_photo(content, known) or []))
    return kept


def confirmed(
    session: Session, *, matches: list[index.Match], fingerprint: Fingerprint, content: Content
) -> list[index.Match]:
    """The fingerprint matches whose content agrees with the query's (``content.py``) or
    that are an edited copy of it (``copies.py``): a match between two app screens needs
    the same text, the same picture inside, or the same text with a field changed."""
    return [m for m, _ in judge(session, matches=matches, fingerprint=fingerprint, content=content)]


def _evidence(media_id: int, match: index.Match, case: int | None) -> dict[str, Any]:
    evidence: dict[str, Any] = {
        "media_id": media_id,
        "matching_media_id": match.media_id,
        "view": match.query_view,
        "matching_view": match.view,
        "distance": {"key": match.key_distance, "detail": match.detail_distance},
    }
    if case is not None:
        evidence["earlier_ticket_id"] = case
    return evidence


def _finished_case_media(session: Session, *, sender_id: str) -> dict[int, int]:
    """media id → ticket id for the customer's cases that are over."""
    found: dict[int, int] = {}
    rows = session.execute(
        select(Ticket.id, Ticket.media_ids).where(
            Ticket.sender_id == sender_id, Ticket.status.in_([s.value for s in FINISHED])
        )
    )
    for ticket_id, media_ids in rows:
        for media in media_ids or []:
            found.setdefault(int(media), ticket_id)
    return found
