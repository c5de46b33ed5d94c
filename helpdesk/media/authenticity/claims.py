"""Evidence against the claim: values read from the media against what the customer said
or confirmed.

Pure functions on values (``amount_mismatch``, ``date_mismatch``, ``future_date``) so that
every rule is testable without a conversation; ``check_claim`` applies them to a case (the
fields of its media analyses and the customer's words or confirmed fields), and
``transaction_reused`` asks the tickets whether another customer already disputed the same
transaction id.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk.db.models import Ticket
from helpdesk.media.authenticity.signals import Code, Severity, Signal
from helpdesk.media.fields import extract_fields

# A rounding or a fee explains a cent or 1 %; more than that is a different amount.
AMOUNT_TOLERANCE = Decimal("0.01")
# "Yesterday" said late at night, or a receipt printed after midnight: two days either way.
DATE_TOLERANCE_DAYS = 2
# Clocks and time zones: a receipt dated tomorrow is not yet "in the future".
FUTURE_GRACE_DAYS = 1
TOTAL_TYPES = ("total", "amount")

_RELATIVE = {
    "today": 0, "hoy": 0, "yesterday": 1, "ayer": 1, "anteayer": 2,
    "day before yesterday": 2, "antes de ayer": 2,
}  # fmt: skip
_WEEK = re.compile(r"\b(last week|la semana pasada)\b")


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value).replace(",", "."))
    except (InvalidOperation, ValueError):
        return None


def amount_mismatch(
    *, claimed: Any, read: Any, currency: str | None = None, where: Any = None
) -> Signal | None:
    """A signal when the amount read from the media is not the claimed one (beyond a cent
    and 1 %); a tenfold or hundredfold gap says so (a shifted decimal point)."""
    want, got = _decimal(claimed), _decimal(read)
    if want is None or got is None or want <= 0 or got <= 0:
        return None
    gap = abs(want - got)
    if gap <= AMOUNT_TOLERANCE or gap <= Decimal("0.01") * max(want, got):
        return None
    ratio = max(want, got) / min(want, got)
    shifted = any(abs(ratio - factor) < Decimal("0.02") * factor for factor in (10, 100))
    unit = f" {currency}" if currency else ""
    explanation = (
        f"The customer claims {want}{unit}, but the media shows a total of {got}{unit}."
        + (
            " The two differ by a factor of ten or a hundred: check the decimal point."
            if shifted
            else ""
        )
        + " Compare the amount on the picture with the order before granting anything."
    )
    evidence: dict[str, Any] = {"claimed": str(want), "read": str(got), "currency": currency}
    if where:
        evidence["where"] = where
    return Signal(Code.AMOUNT_MISMATCH, Severity.STRONG, explanation, evidence)


def date_mismatch(*, claimed: date, read: date, said: str | None = None) -> Signal | None:
    """A signal when the date on the media is more than two days from the claimed one."""
    gap = abs((read - claimed).days)
    if gap <= DATE_TOLERANCE_DAYS:
        return None
    words = f' ("{said}")' if said else ""
    return Signal(
        Code.DATE_MISMATCH,
        Severity.STRONG if gap > 31 else Severity.NOTABLE,
        f"The customer says the payment was on {claimed:%Y-%m-%d}{words}, but the media is "
        f"dated {read:%Y-%m-%d}, {gap} days apart. Ask which payment this is about.",
        {"claimed": claimed.isoformat(), "read": read.isoformat(), "days_apart": gap},
    )


def future_date(*, read: date, today: date) -> Signal | None:
    if read <= today + timedelta(days=FUTURE_GRACE_DAYS):
        return None
    return Signal(
        Code.FUTURE_DATE,
        Severity.STRONG,
        f"The media is dated {read:%Y-%m-%d}, after today ({today:%Y-%m-%d}). A genuine "
        "receipt cannot be dated in the future: the date may have been edited.",
        {"read": read.isoformat(), "today": today.isoformat()},
    )


def claimed_date(text: str, *, today: date) -> tuple[date, str] | None:
    """The payment date the customer's words give ("yesterday", "ayer", "12/03/2024")."""
    folded = "".join(
        c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c)
    )
    for words in sorted(_RELATIVE, key=len, reverse=True):
        if re.search(rf"\b{re.escape(words)}\b", folded):
            return today - timedelta(days=_RELATIVE[words]), words
    if _WEEK.search(folded):
        return today - timedelta(days=7), _WEEK.search(folded).group(0)  # type: ignore[union-attr]
    for found in extract_fields(text, source="text"):
        if found.type == "date":
            try:
                return date.fromisoformat(str(found.value)), found.raw
            except ValueError:
                continue
    return None


def claimed_amount(text: str) -> Decimal | None:
    amounts = [f for f in extract_fields(text, source="text") if f.type == "amount"]
    return _decimal(amounts[0].extra.get("amount", amounts[0].value)) if amounts else None


def _read_total(fields: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    for kind in TOTAL_TYPES:
        found = [f for f in fields if f.get("type") == kind]
        if found:
            return found[0]
    return None


def check_claim(
    *,
    read_fields: Sequence[dict[str, Any]],
    said: str,
    confirmed: Sequence[dict[str, Any]] = (),
    today: date,
) -> list[Signal]:
    """Signals from one case: ``read_fields`` are the media analyses' fields, ``said`` the
    customer's words, ``confirmed`` the fields the customer confirmed or typed
    (``{"type", "value"}``); a confirmed amount wins over one in the words."""
    signals: list[Signal] = []
    total = _read_total(read_fields)
    claimed = next(
        (_decimal(f.get("amount", f.get("value"))) for f in confirmed if f.get("type") == "amount"),
        None,
    )
    claimed = claimed if claimed is not None else claimed_amount(said)
    if total is not None and claimed is not None:
        read = total.get("amount", str(total.get("value", "")).split(" ")[0])
        signal = amount_mismatch(
            claimed=claimed, read=read, currency=total.get("currency"), where=total.get("where")
        )
        if signal is not None and not any(
            amount_mismatch(claimed=claimed, read=f.get("amount")) is None
            for f in read_fields
            if f.get("type") in TOTAL_TYPES and f.get("amount") is not None
        ):
            signals.append(signal)
    dates = []
    for item in read_fields:
        if item.get("type") == "date":
            try:
                dates.append(date.fromisoformat(str(item.get("value"))))
            except ValueError:
                continue
    for read in dates[:1]:
        future = future_date(read=read, today=today)
        if future is not None:
            signals.append(future)
            continue
        said_date = claimed_date(said, today=today) if said else None
        if said_date is not None:
            signal = date_mismatch(claimed=said_date[0], read=read, said=said_date[1])
            if signal is not None:
                signals.append(signal)
    return signals


def transaction_reused(
    session: Session, *, transaction_ids: Sequence[str], sender_id: str
) -> list[Signal]:
    """A transaction id that is already in another customer's ticket."""
    wanted = {str(t).strip().upper() for t in transaction_ids if str(t).strip()}
    if not wanted:
        return []
    signals = []
    rows = session.execute(
        select(Ticket.id, Ticket.sender_id, Ticket.fields).where(Ticket.sender_id != sender_id)
    )
    for ticket_id, _, fields in rows:
        for item in fields or []:
            value = str(item.get("value", "")).strip().upper()
            if item.get("type") == "transaction_id" and value in wanted:
                signals.append(
                    Signal(
                        Code.TRANSACTION_REUSED,
                        Severity.STRONG,
                        f"Transaction id {value} is already in another customer's dispute "
                        f"(ticket #{ticket_id}). One payment cannot be two customers' claim.",
                        {"transaction_id": value, "other_ticket_id": ticket_id},
                    )
                )
                wanted.discard(value)
    return signals
