"""The five capture flows: which media and facts each use case needs, in order.

Wording lives in domain.yml (``utter_ask_<slot>`` for each step); this module holds only
structure. A media step names the analysis purpose its media is judged for and the media
kinds it accepts; a fact step names the field type that can be read from earlier media (so
the bot can ask "Is the transaction id 4829…?") and a pattern for typed values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MEDIA = "media"
FACT = "fact"

PAYMENT = "payment"  # field_type of the step confirming a receipt's total, date, merchant
SKIPPED = "skipped"  # slot value of an optional step the customer skipped


@dataclass(frozen=True)
class Step:
    slot: str
    type: str  # MEDIA or FACT
    purpose: str | None = None  # analysis purpose for media steps
    kinds: tuple[str, ...] = ()  # media kinds accepted (image, video, document)
    optional: bool = False
    field_type: str | None = None  # fact read from media (and offered for confirmation)
    pattern: str | None = None  # what a typed fact (or a label's typed identifier) looks like

    def accepts(self, kind: str) -> bool:
        return self.type == MEDIA and kind in self.kinds

    def typed_value(self, text: str) -> str | None:
        text = text.strip()
        if self.pattern is None:
            return text if len(text) >= 2 else None
        match = re.search(self.pattern, text, flags=re.IGNORECASE)
        return match.group(0).strip() if match else None


@dataclass(frozen=True)
class Flow:
    use_case: str  # the intent that starts it
    form: str
    steps: tuple[Step, ...]

    @property
    def slots(self) -> list[str]:
        return [step.slot for step in self.steps]

    def step(self, slot: str | None) -> Step | None:
        return next((step for step in self.steps if step.slot == slot), None)


# Identifiers as customers type them: optional letters, then digits with separators
# ("ORD-2024-118734", "#118734", "4829 1133 0921", "UTR 412345678901").
# The letters start a word: "order 118734" is 118734, not "rder 118734".
ORDER_NUMBER_PATTERN = r"(?<![A-Z0-9])#?[A-Z]{0,4}[\- ]?\d[\d\-]{3,20}"
TRANSACTION_ID_PATTERN = r"[A-Z0-9]{0,6}[\- ]?\d[\d \-]{5,30}\d"
# A model or serial number typed instead of a readable label photo: letters and digits
# with dashes or slashes, at least one digit ("WM-8000X", "SN12345-ABC").
IDENTIFIER_PATTERN = r"(?<![A-Z0-9])(?=[A-Z0-9\-/]*\d)[A-Z0-9][A-Z0-9\-/]{3,30}[A-Z0-9](?![A-Z0-9])"

FLOWS: tuple[Flow, ...] = (
    Flow(
        "report_damaged_product",
        "damaged_product_form",
        (
            Step("damage_photo", MEDIA, purpose="photo", kinds=("image",)),
            Step(
                "product_label_photo",
                MEDIA,
                purpose="label",
                kinds=("image",),
                optional=True,
                pattern=IDENTIFIER_PATTERN,
            ),
        ),
    ),
    Flow(
        "report_software_error",
        "software_error_form",
        (
            Step("error_screenshot", MEDIA, purpose="screenshot", kinds=("image",)),
            Step("affected_app", FACT),
        ),
    ),
    Flow(
        "report_payment_problem",
        "payment_problem_form",
        (
            Step("payment_evidence", MEDIA, purpose="receipt", kinds=("image", "document")),
            # Total, date and merchant read from the receipt, read back to confirm.
            Step("payment_details", FACT, field_type=PAYMENT, optional=True),
            Step(
                "transaction_id",
                FACT,
                field_type="transaction_id",
                pattern=TRANSACTION_ID_PATTERN,
                optional=True,
            ),
        ),
    ),
    Flow(
        "request_return",
        "return_form",
        (
            Step("item_photo", MEDIA, purpose="photo", kinds=("image",)),
            Step("order_number", FACT, field_type="order_number", pattern=ORDER_NUMBER_PATTERN),
        ),
    ),
    Flow(
        "report_appliance_fault",
        "appliance_fault_form",
        (
            Step("appliance_media", MEDIA, purpose="video", kinds=("video", "image")),
            Step(
                "appliance_label_photo",
                MEDIA,
                purpose="label",
                kinds=("image",),
                optional=True,
                pattern=IDENTIFIER_PATTERN,
            ),
        ),
    ),
)


def purpose_for(step: Step, kind: str) -> str:
    """The analysis purpose for what actually arrived (an appliance step takes photos too)."""
    if step.purpose == "video" and kind == "image":
        return "photo"
    return step.purpose or "photo"


def flow_for_form(form: str) -> Flow:
    for flow in FLOWS:
        if flow.form == form:
            return flow
    raise KeyError(f"no capture flow for form {form!r}")


def flow_for_use_case(use_case: str) -> Flow | None:
    return next((flow for flow in FLOWS if flow.use_case == use_case), None)
