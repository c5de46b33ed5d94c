"""Fields read from OCR text: error codes, serial / model / order numbers, transaction ids,
amounts, dates, payment status and (masked) card numbers.

Validated patterns rather than a spaCy pipeline, on purpose: OCR text is broken lines of
codes and numbers, where spaCy's tokenizer splits ``0x80070005``, ``E-1042`` and
``1.234,56`` unpredictably; what makes a field trustworthy here is validation (calendar
dates, Luhn for cards, both decimal notations, UTR lengths) and the label before a value
("S/N", "Nº de pedido"), which patterns express directly and testably.

Each field has a ``type``, a normalised ``value``, a ``confidence`` (the pattern's own
certainty times the OCR confidence of the words it came from) and ``where`` it was found
(source, line, character span in the text, and the box in the picture when known).
Card numbers are never kept whole: the field holds ``**** **** **** 1234`` and
``redact_cards`` masks them in the stored text as well.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from helpdesk.media.patterns import (
    AMAZON_ORDER,
    AMOUNT_PATTERNS,
    APPLIANCE_CODE,
    CARD_MASKED,
    CURRENCY_SYMBOLS,
    DATE_PATTERNS,
    ERROR_CONTEXT,
    ERROR_PATTERNS,
    LABEL_PATTERNS,
    LABELLED_AMOUNT,
    MONTHS,
    STATUS_PATTERNS,
    card_numbers,
    full_year,
    luhn_valid,
    make_date,
    mask_card,
    parse_number,
    redact_cards,
)

__all__ = [
    "FIELD_TYPES",
    "Field",
    "extract_fields",
    "luhn_valid",
    "mask_card",
    "parse_number",
    "redact_cards",
]

FIELD_TYPES = (
    "error_code",
    "serial_number",
    "model_number",
    "order_number",
    "transaction_id",
    "amount",
    "date",
    "payment_status",
    "card_number_masked",
    "barcode",
    # Receipts (helpdesk.media.receipts): the paid amount, the shop, the currency and
    # whether the payment went through (paid / failed / pending).
    "total",
    "merchant",
    "currency",
    "status",
)


@dataclass
class Field:
    type: str
    value: str
    confidence: float
    raw: str
    where: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "value": self.value,
            "confidence": round(self.confidence, 3),
            "raw": self.raw,
            "where": self.where,
            **self.extra,
        }


# --- extraction ------------------------------------------------------------------------


class _Extractor:
    def __init__(self, text: str, words: Sequence[Any] | None, source: str, language: str | None):
        self.text = text
        self.words = list(words or [])
        self.source = source
        self.language = language
        self.day_first: bool | None = None  # the page's own date order, once dates() ran
        self.claimed: list[tuple[int, int]] = []
        self.fields: list[Field] = []
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def free(self, start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b in self.claimed)

    def _line(self, position: int) -> int:
        line = 0
        for index, begin in enumerate(self.line_starts):
            if begin <= position:
                line = index
        return line + 1

    def _ocr_confidence(self, start: int, end: int) -> tuple[float, list[int] | None]:
        covered = [w for w in self.words if w.start < end and w.end > start]
        if not covered:
            return 1.0, None
        confidence = sum(w.confidence for w in covered) / len(covered) / 100.0
        x0 = min(w.box[0] for w in covered)
        y0 = min(w.box[1] for w in covered)
        x1 = max(w.box[0] + w.box[2] for w in covered)
        y1 = max(w.box[1] + w.box[3] for w in covered)
        return confidence, [x0, y0, x1 - x0, y1 - y0]

    def add(
        self,
        kind: str,
        value: str,
        confidence: float,
        start: int,
        end: int,
        *,
        claim: bool = True,
        raw: str | None = None,
        **extra: Any,
    ) -> None:
        if any(f.type == kind and f.value == value for f in self.fields):
            return
        ocr_confidence, box = self._ocr_confidence(start, end)
        where: dict[str, Any] = {
            "source": self.source,
            "line": self._line(start),
            "start": start,
            "end": end,
        }
        if box is not None:
            where["box"] = box
        self.fields.append(
            Field(
                kind,
                value,
                min(1.0, confidence * ocr_confidence),
                raw if raw is not None else self.text[start:end],
                where,
                extra,
            )
        )
        if claim:
            self.claimed.append((start, end))

    def run(self) -> list[Field]:
        self.cards()
        self.dates()
        for kind in ("transaction_id", "order_number", "serial_number", "model_number"):
            self.labelled(kind)
        self.amazon_orders()
        self.errors()
        self.amounts()
        self.statuses()
        return sorted(self.fields, key=lambda f: (f.where["start"], f.type))

    def cards(self) -> None:
        for start, end, digits in card_numbers(self.text):
            masked = mask_card(digits)
            self.add("card_number_masked", masked, 0.95, start, end, raw=masked)
        for match in CARD_MASKED.finditer(self.text):
            if self.free(match.start(), match.end()):
                masked = "**** " + match.group(1)
                self.add("card_number_masked", masked, 0.85, match.start(), match.end())

    def dates(self) -> None:
        self.day_first = self._page_order()
        for pattern, layout in DATE_PATTERNS:
            for match in pattern.finditer(self.text):
                if not self.free(match.start(), match.end()):
                    continue
                value, confidence = self._date(match, layout)
                if value:
                    self.add("date", value, confidence, match.start(), match.end())

    def _date(self, match: re.Match[str], layout: str) -> tuple[str | None, float]:
        g = match.groups()
        if layout == "ymd":
            return make_date(int(g[0]), int(g[1]), int(g[2])), 0.95
        if layout == "dmy_name":
            return make_date(full_year(g[2]), MONTHS[g[1].lower()], int(g[0])), 0.95
        if layout == "mdy_name":
            return make_date(full_year(g[2]), MONTHS[g[0].lower()], int(g[1])), 0.95
        first, separator, second, year = int(g[0]), g[1], int(g[2]), full_year(g[3])
        if first > 12 or separator == ".":
            return make_date(year, second, first), 0.9
        if second > 12:
            return make_date(year, first, second), 0.9
        # Both orders are valid dates. A page writes all its dates one way, so a date on it
        # that can only be read one way (28/12/2017) settles 12/01/2019 beside it.
        if self.day_first is not None:
            return make_date(year, *((second, first) if self.day_first else (first, second))), 0.85
        # Otherwise Spanish and most of the world write day first; US English writes month
        # first. Say so in the confidence.
        if self.language == "en":
            return make_date(year, first, second), 0.6
        return make_date(year, second, first), 0.7

    def _page_order(self) -> bool | None:
        """True when the page's unambiguous numeric dates put the day first, False when
        they put the month first, None when none says (or they disagree)."""
        orders = set()
        for pattern, layout in DATE_PATTERNS:
            if layout != "numeric":
                continue
            for match in pattern.finditer(self.text):
                first, second = int(match.group(1)), int(match.group(3))
                if first > 12 >= second:
                    orders.add(True)
                elif second > 12 >= first:
                    orders.add(False)
        return orders.pop() if len(orders) == 1 else None

    def labelled(self, kind: str) -> None:
        for match in LABEL_PATTERNS[kind].finditer(self.text):
            value = match.group(1).strip(".-/")
            start, end = match.span(1)
            if not any(c.isdigit() for c in value) or not self.free(start, end):
                continue
            confidence = 0.9
            if kind == "transaction_id":
                label = match.group(0)[: match.start(1) - match.start()].lower()
                digits = re.sub(r"\D", "", value)
                if "utr" in label or "upi" in label:
                    confidence = 0.95 if len(digits) == 12 or 16 <= len(value) <= 22 else 0.6
                elif len(value) < 6:
                    continue
            self.add(kind, value.upper(), confidence, start, end)

    def amazon_orders(self) -> None:
        for match in AMAZON_ORDER.finditer(self.text):
            if self.free(*match.span()):
                self.add("order_number", match.group(0), 0.85, *match.span())

    def errors(self) -> None:
        for pattern, confidence in ERROR_PATTERNS:
            for match in pattern.finditer(self.text):
                group = 1 if pattern.groups else 0
                start, end = match.span(group)
                value = match.group(group)
                if pattern.groups and not re.search(r"\d", value):
                    continue
                if self.free(start, end):
                    value = _repair_hex(value.upper())
                    self.add("error_code", value, confidence, start, end)
        context = bool(ERROR_CONTEXT.search(self.text))
        for match in APPLIANCE_CODE.finditer(self.text):
            if self.free(*match.span()):
                self.add("error_code", match.group(0), 0.75 if context else 0.5, *match.span())

    def amounts(self) -> None:
        for index, pattern in enumerate(AMOUNT_PATTERNS):
            for match in pattern.finditer(self.text):
                symbol, number = match.group(1 + index), match.group(2 - index)
                if not self.free(*match.span()):
                    continue
                amount = parse_number(number)
                if amount is None:
                    continue
                currency = CURRENCY_SYMBOLS.get(symbol.upper(), symbol.upper())
                self.add(
                    "amount", f"{amount} {currency}", 0.9, *match.span(),
                    amount=amount, currency=currency,
                )  # fmt: skip
        for match in LABELLED_AMOUNT.finditer(self.text):
            start, end = match.span(1)
            amount = parse_number(match.group(1))
            if amount is not None and self.free(start, end):
                self.add("amount", amount, 0.75, start, end, amount=amount, currency=None)

    def statuses(self) -> None:
        for pattern, value in STATUS_PATTERNS:
            for match in pattern.finditer(self.text):
                if self.free(*match.span()):
                    self.add("payment_status", value, 0.85, *match.span())


def extract_fields(
    text: str,
    *,
    words: Sequence[Any] | None = None,
    source: str = "ocr",
    language: str | None = None,
) -> list[Field]:
    """Every field found in ``text``; ``words`` (OCR words with offsets) add confidence and
    position in the picture."""
    if not text:
        return []
    return _Extractor(text, words, source, language).run()


# Letters OCR reads for digits; none of them is a hex digit, so inside a hex code they can
# only be misread digits ("Ox8BADFOOD" is 0x8BADF00D).
_HEX_REPAIR = str.maketrans({"O": "0", "I": "1", "L": "1", "S": "5"})
_HEX = re.compile(r"[0-9A-F]+")


def _repair_hex(value: str) -> str:
    if value[:2] not in ("0X", "OX"):
        return value
    digits = value[2:].translate(_HEX_REPAIR)
    return "0x" + digits if _HEX.fullmatch(digits) else value
