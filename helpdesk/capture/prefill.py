"""What the customer already wrote, put into the flow's steps before anything is asked.

"my order 12345 arrived damaged" names its order number: a return never asks for it
again, and a damage report keeps it for the agent. The customer's words are read with the
same validated patterns as OCR text (helpdesk.media.fields), so only labelled values count
("order 12345", "pedido 118734", "model WM-8000X", "transaction id TX4829…"): a bare
number in a sentence ("2 pairs, size 42") is never taken for an order.

What fills a step is said back in one line ("From your message I've noted: order number
12345."), so a misread value is seen at once; amounts and codes go on the case as fields
read from the customer, for triage and for the agent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from helpdesk.capture.flows import FACT, MEDIA, Flow, Step
from helpdesk.capture.summary import FIELD_LABELS
from helpdesk.media.fields import extract_fields

CUSTOMER = "customer"  # the source of a field read from the customer's own words
TYPED = "typed:"  # prefix of a label step filled by a typed model or serial number
NOTED = "utter_noted_from_message"
# Fields worth keeping from the words: the ones an agent or the triage would act on.
KEPT_TYPES = frozenset(
    {"error_code", "serial_number", "model_number", "order_number", "transaction_id", "amount"}
)
# A label step (the photo of a model or serial label) is answered by either number typed.
LABEL_TYPES = ("model_number", "serial_number")
# "my order is 4567-89", "mi pedido es el número 4567-89", "order number was: 4567-89": the
# copula between a label and its value is not part of the value. It becomes the ": " that
# the labelled patterns (and OCR'd receipts) use, so "es 4567-89" is never read as a number.
_COPULA = (
    r"(?:is|was|would be|will be|it'?s|it is|es|era|ser[aá]|ser[ií]a|fue)"
    r"(?:[ \t]*:)?(?:[ \t]+(?:the|my|el|la|mi))?"
    r"(?:[ \t]+(?:n[uú]mero|number|no\.?|nro\.?|n[º°]))?[ \t]*:?[ \t]*"
)
_VALUE_AHEAD = r"(?=#?(?=[A-Z0-9\-/.]*\d)[A-Z0-9])"  # a token with a digit: a number, a code
_BETWEEN = re.compile(r"(?<=[^\W\d_]|\.)[ \t]+" + _COPULA + _VALUE_AHEAD, re.IGNORECASE)
# The same copula opening a bare answer to "what is your order number?": "es el 4567-89".
_LEADING = re.compile(r"^\W*" + _COPULA + _VALUE_AHEAD, re.IGNORECASE)


@dataclass
class Prefill:
    slots: dict[str, str] = field(default_factory=dict)  # steps the customer already answered
    fields: list[dict[str, Any]] = field(default_factory=list)  # new fields from the words
    noted: list[str] = field(default_factory=list)  # "order number 12345", for the one line

    def noted_text(self) -> str:
        return "; ".join(self.noted)


def read_words(text: str | None, language: str) -> list[dict[str, Any]]:
    """The fields the customer typed, as case fields (source ``customer``)."""
    words = (text or "").strip()
    if not words or words.startswith("/"):  # a button's payload says nothing of the case
        return []
    found = extract_fields(_without_copula(words), source=CUSTOMER, language=language)
    return [
        {"type": f.type, "value": f.value, "confidence": f.confidence, "source": CUSTOMER}
        for f in found
        if f.type in KEPT_TYPES
    ]


def labelled_value(step: Step, text: str | None, language: str) -> str | None:
    """A fact step's value as the customer labelled it ("mi pedido es 4567-89" → 4567-89),
    read before the step's looser pattern, which would take "es 4567-89" for the number."""
    if step.type != FACT or step.field_type not in ("order_number", "transaction_id"):
        return None
    found = _value_for(step, read_words(text, language))
    if found:
        return found[1]
    words = (text or "").strip()
    bare = _LEADING.sub("", words, count=1)
    if bare != words and not words.startswith("/"):
        return step.typed_value(bare)
    return None


def _without_copula(text: str) -> str:
    return _BETWEEN.sub(": ", text)


def prefill(
    flow: Flow,
    *,
    text: str | None,
    language: str,
    slots: dict[str, Any],
    known: list[dict[str, Any]] | None = None,
) -> Prefill:
    """The flow's empty steps the customer's words answer, and the new fields to keep.

    ``known`` are the case's fields so far: what the customer typed in an earlier flow
    ("my order 12345 arrived damaged", then a switch to the return) fills this one too.
    """
    known = list(known or [])
    new = [f for f in read_words(text, language) if not _has(known, f)]
    typed = new + [f for f in known if f.get("source") == CUSTOMER]
    out = Prefill(fields=new)
    used: set[tuple[str, str]] = set()
    for step in flow.steps:
        if slots.get(step.slot) is not None:
            continue
        value = _value_for(step, typed)
        if value is None:
            continue
        kind, found = value
        out.slots[step.slot] = TYPED + found if step.type == MEDIA else found
        out.noted.append(_label(kind, language, found))
        used.add((kind, found))
    # The rest goes on the case as it is; said back too, except an error code (the fix
    # from the words, or the screenshot's reading, already names it).
    for extra in new:
        key = (extra["type"], extra["value"])
        if key not in used and extra["type"] != "error_code":
            out.noted.append(_label(extra["type"], language, extra["value"]))
            used.add(key)
    return out


def _value_for(step: Step, typed: list[dict[str, Any]]) -> tuple[str, str] | None:
    if step.type == FACT and step.field_type in ("order_number", "transaction_id"):
        wanted: tuple[str, ...] = (step.field_type,)
    elif step.type == MEDIA and step.purpose == "label":
        wanted = LABEL_TYPES
    else:
        return None
    for kind in wanted:
        best = max(
            (f for f in typed if f.get("type") == kind and _fits(step, f.get("value"))),
            key=lambda f: float(f.get("confidence") or 0),
            default=None,
        )
        if best is not None:
            return kind, str(best["value"])
    return None


def _fits(step: Step, value: Any) -> bool:
    """A value the step itself would take whole: the extractor may stop short ("UTR 4123"
    of "UTR 4123 4567 8901"), and a short read must not stand for the typed number."""
    if not value:
        return False
    if step.type != FACT or step.pattern is None:
        return True
    return step.typed_value(str(value)) == str(value)


def _has(fields: list[dict[str, Any]], candidate: dict[str, Any]) -> bool:
    return any(
        f.get("type") == candidate["type"] and f.get("value") == candidate["value"] for f in fields
    )


def _label(kind: str, language: str, value: str) -> str:
    name = FIELD_LABELS.get(kind, {}).get(language if language == "es" else "en", kind)
    return f"{name.lower()} {value}"
