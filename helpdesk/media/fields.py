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

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

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


# --- patterns --------------------------------------------------------------------------

_SEP = r"[ \t]*(?:[:#.\-–=]|n[º°o]\.?|no\.|nr\.?|№)?[ \t]*(?:[:#\-–][ \t]*)?\n?[ \t]*"
_ID = r"((?=[A-Z0-9\-/.]*\d)[A-Z0-9][A-Z0-9\-/.]{2,38}[A-Z0-9])"  # with a digit

_LABELS: dict[str, str] = {
    "transaction_id": (
        r"(?:upi[ \t]*(?:ref(?:erence)?|transaction[ \t]*id)(?:[ \t]*no\.?)?|utr(?:[ \t]*(?:no\.?"
        r"|number))?|transaction[ \t]*(?:id|no\.?|number|ref(?:erence)?(?:[ \t]*no\.?)?)"
        r"|txn[ \t]*(?:id|no\.?|ref)?|trans\.?[ \t]*id|reference[ \t]*(?:no\.?|number|id|code)?"
        r"|ref\.?[ \t]*(?:no\.?|number)?|referencia(?:[ \t]*de[ \t]*pago)?"
        r"|id[ \t]*de[ \t]*(?:la[ \t]*)?(?:transacci[oó]n|operaci[oó]n|pago)"
        r"|(?:n[º°o]\.?|número)[ \t]*de[ \t]*(?:operaci[oó]n|transacci[oó]n)"
        r"|operaci[oó]n|autorizaci[oó]n|auth(?:orization)?[ \t]*code|payment[ \t]*id)"
    ),
    "order_number": (
        r"(?:order[ \t]*(?:no\.?|number|id|#)?|(?:n[º°o]\.?|número)[ \t]*de[ \t]*pedido"
        r"|pedido(?:[ \t]*(?:n[º°o]\.?|número))?|orden(?:[ \t]*de[ \t]*compra)?)"
    ),
    "serial_number": (
        r"(?:serial[ \t]*(?:no\.?|number|num\.?|#)?|s[ \t]*/[ \t]*n|\bsn"
        r"|(?:n[º°o]\.?|número)[ \t]*de[ \t]*serie|serie)"
    ),
    "model_number": (
        r"(?:model[ \t]*(?:no\.?|number|#|code)?|modelo|mod\.|m[ \t]*/[ \t]*n|mdl|type[ \t]*no\.?)"
    ),
}
_LABEL_PATTERNS = {
    kind: re.compile(r"(?<![A-Za-z])" + label + _SEP + _ID, re.IGNORECASE)
    for kind, label in _LABELS.items()
}

_ERROR_PATTERNS: list[tuple[re.Pattern[str], float]] = [
    (re.compile(r"\b0x[0-9A-F]{8}\b", re.IGNORECASE), 0.95),
    (re.compile(r"\b(?:NET::)?ERR_[A-Z0-9_]{3,}\b"), 0.95),
    (
        re.compile(
            r"(?:error|err|fault|fallo|falla|c[oó]digo)(?:[ \t]*(?:code|c[oó]digo|de[ \t]*error))?"
            r"[ \t]*[:#\-–]?[ \t]*((?=[A-Z0-9\-]*\d)[A-Z0-9][A-Z0-9\-]{1,11})\b",
            re.IGNORECASE,
        ),
        0.9,
    ),
    (re.compile(r"\b[A-Z]{1,2}-\d{2,5}\b"), 0.7),
]
_APPLIANCE_CODE = re.compile(r"\b[EFUHCPLD]\d{2}\b")
_ERROR_CONTEXT = re.compile(
    r"error|fault|code|c[oó]digo|fallo|falla|aver[ií]a|pantalla|display", re.IGNORECASE
)

_AMAZON_ORDER = re.compile(r"\b\d{3}-\d{7}-\d{7}\b")

_NUMBER = r"(\d{1,3}(?:[.,  ]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?)"
_CURRENCY_SYMBOLS = {
    "US$": "USD",
    "MX$": "MXN",
    "R$": "BRL",
    "€": "EUR",
    "$": "USD",
    "£": "GBP",
    "₹": "INR",
    "RS.": "INR",
    "RS": "INR",
    "¥": "JPY",
}
_CURRENCY_CODES = "EUR|USD|GBP|INR|MXN|COP|ARS|CLP|PEN|BRL|CAD|AUD|CHF"
_SYMBOL = r"(US\$|MX\$|R\$|€|\$|£|₹|Rs\.?|¥|" + _CURRENCY_CODES + r")"
_AMOUNT_PATTERNS = [
    re.compile(_SYMBOL + r"[ \t]?" + _NUMBER + r"(?![\d])", re.IGNORECASE),
    re.compile(r"(?<![\d.,])" + _NUMBER + r"[ \t]?" + _SYMBOL + r"(?![A-Za-z])", re.IGNORECASE),
]
_LABELLED_AMOUNT = re.compile(
    r"(?:total|amount|importe|monto|precio|price|subtotal|paid|pagado|cantidad|valor"
    r"|debited|cargo|a[ \t]*pagar)\b[^\n\d]{0,20}?(?<![\d.,])"
    r"(\d{1,3}(?:[.,  ]\d{3})*[.,]\d{2}|\d+[.,]\d{2})(?![\d])",
    re.IGNORECASE,
)

_MONTHS = {
    "january": 1, "jan": 1, "enero": 1, "ene": 1,
    "february": 2, "feb": 2, "febrero": 2,
    "march": 3, "mar": 3, "marzo": 3,
    "april": 4, "apr": 4, "abril": 4, "abr": 4,
    "may": 5, "mayo": 5,
    "june": 6, "jun": 6, "junio": 6,
    "july": 7, "jul": 7, "julio": 7,
    "august": 8, "aug": 8, "agosto": 8, "ago": 8,
    "september": 9, "sept": 9, "sep": 9, "septiembre": 9, "setiembre": 9, "set": 9,
    "october": 10, "oct": 10, "octubre": 10,
    "november": 11, "nov": 11, "noviembre": 11,
    "december": 12, "dec": 12, "diciembre": 12, "dic": 12,
}  # fmt: skip
_MONTH = r"(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")"
_DATE_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b"), "ymd"),
    (re.compile(r"\b(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})\b"), "numeric"),
    (
        re.compile(
            r"\b(\d{1,2})(?:st|nd|rd|th)?[ \t.\-]*(?:de[ \t]+)?" + _MONTH
            + r"\.?[ \t,.\-]*(?:de(?:l)?[ \t]+)?(\d{4}|\d{2})\b",
            re.IGNORECASE,
        ),
        "dmy_name",
    ),
    (
        re.compile(
            r"\b" + _MONTH + r"\.?[ \t]+(\d{1,2})(?:st|nd|rd|th)?,?[ \t]+(\d{4})\b", re.IGNORECASE
        ),
        "mdy_name",
    ),
]  # fmt: skip

_STATUS_WORDS: list[tuple[str, str]] = [
    (r"not[ \t]+successful|unsuccessful|no[ \t]+exitos[oa]|no[ \t]+completad[oa]", "failed"),
    (r"failed|failure|declined|rejected|fallid[oa]|rechazad[oa]|denegad[oa]", "failed"),
    (r"refunded|reversed|reembolsad[oa]|devuelt[oa]|reversad[oa]", "refunded"),
    (r"pending|processing|in[ \t]+progress|on[ \t]+hold|pendiente|en[ \t]+proceso"
     r"|procesando|en[ \t]+espera", "pending"),
    (r"successful(?:ly)?|success|completed|approved|confirmed|paid|exitos[oa]|completad[oa]"
     r"|aprobad[oa]|confirmad[oa]|pagad[oa]|realizad[oa]", "successful"),
]  # fmt: skip
_STATUS_PATTERNS = [
    (re.compile(r"(?<![A-Za-zÁ-ú])(?:" + words + r")(?![A-Za-zÁ-ú])", re.IGNORECASE), value)
    for words, value in _STATUS_WORDS
]

_CARD_DIGITS = re.compile(r"(?<![\d])(?:\d[ \-]?){12,18}\d(?![\d])")
_CARD_MASKED = re.compile(
    r"(?:(?:[*•xX·]{2,4}[ \-]?){1,3}|ending[ \t]+(?:in[ \t]+)?|terminada[ \t]+en[ \t]+"
    r"|acabada[ \t]+en[ \t]+)(\d{4})(?![\d])",
    re.IGNORECASE,
)


# --- helpers ---------------------------------------------------------------------------


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _card_numbers(text: str) -> Iterable[tuple[int, int, str]]:
    for match in _CARD_DIGITS.finditer(text):
        digits = re.sub(r"\D", "", match.group(0))
        if 13 <= len(digits) <= 19 and luhn_valid(digits) and len(set(digits)) > 1:
            yield match.start(), match.end(), digits


def mask_card(digits: str) -> str:
    return "**** **** **** " + digits[-4:]


def redact_cards(text: str) -> str:
    """The text with every Luhn-valid card number's digits but the last four replaced by
    ``*``. The length is unchanged, so positions found in the original text stay valid."""
    chars = list(text)
    for start, end, digits in _card_numbers(text):
        to_hide = len(digits) - 4
        for index in range(start, end):
            if to_hide and chars[index].isdigit():
                chars[index] = "*"
                to_hide -= 1
    return "".join(chars)


def parse_number(raw: str) -> str | None:
    """``1.234,56`` / ``1,234.56`` / ``24,23`` / ``1 234,56`` → ``"1234.56"``."""
    text = raw.replace(" ", "").replace("\u00a0", "").replace("\u202f", "")
    if not text:
        return None
    if "," in text and "." in text:
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        text = text.replace(thousands, "").replace(decimal, ".")
    elif "," in text or "." in text:
        mark = "," if "," in text else "."
        head, *rest = text.split(mark)
        if len(rest) == 1 and len(rest[0]) in (1, 2):
            text = head + "." + rest[0]
        elif all(len(part) == 3 for part in rest):
            text = head + "".join(rest)
        else:
            return None
    try:
        value = float(text)
    except ValueError:
        return None
    return f"{value:.2f}"


def _year(raw: str) -> int:
    year = int(raw)
    if len(raw) == 2:
        year += 2000 if year < 70 else 1900
    return year


def _make_date(year: int, month: int, day: int) -> str | None:
    if not 1990 <= year <= 2100:
        return None
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


# --- extraction ------------------------------------------------------------------------


class _Extractor:
    def __init__(self, text: str, words: Sequence[Any] | None, source: str, language: str | None):
        self.text = text
        self.words = list(words or [])
        self.source = source
        self.language = language
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
        for start, end, digits in _card_numbers(self.text):
            masked = mask_card(digits)
            self.add("card_number_masked", masked, 0.95, start, end, raw=masked)
        for match in _CARD_MASKED.finditer(self.text):
            if self.free(match.start(), match.end()):
                masked = "**** " + match.group(1)
                self.add("card_number_masked", masked, 0.85, match.start(), match.end())

    def dates(self) -> None:
        for pattern, layout in _DATE_PATTERNS:
            for match in pattern.finditer(self.text):
                if not self.free(match.start(), match.end()):
                    continue
                value, confidence = self._date(match, layout)
                if value:
                    self.add("date", value, confidence, match.start(), match.end())

    def _date(self, match: re.Match[str], layout: str) -> tuple[str | None, float]:
        g = match.groups()
        if layout == "ymd":
            return _make_date(int(g[0]), int(g[1]), int(g[2])), 0.95
        if layout == "dmy_name":
            return _make_date(_year(g[2]), _MONTHS[g[1].lower()], int(g[0])), 0.95
        if layout == "mdy_name":
            return _make_date(_year(g[2]), _MONTHS[g[0].lower()], int(g[1])), 0.95
        first, separator, second, year = int(g[0]), g[1], int(g[2]), _year(g[3])
        if first > 12 or separator == ".":
            return _make_date(year, second, first), 0.9
        if second > 12:
            return _make_date(year, first, second), 0.9
        # Both orders are valid dates: Spanish and most of the world write day first; US
        # English writes month first. Say so in the confidence.
        if self.language == "en":
            return _make_date(year, first, second), 0.6
        return _make_date(year, second, first), 0.7

    def labelled(self, kind: str) -> None:
        for match in _LABEL_PATTERNS[kind].finditer(self.text):
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
        for match in _AMAZON_ORDER.finditer(self.text):
            if self.free(*match.span()):
                self.add("order_number", match.group(0), 0.85, *match.span())

    def errors(self) -> None:
        for pattern, confidence in _ERROR_PATTERNS:
            for match in pattern.finditer(self.text):
                group = 1 if pattern.groups else 0
                start, end = match.span(group)
                value = match.group(group)
                if pattern.groups and not re.search(r"\d", value):
                    continue
                if self.free(start, end):
                    value = value.upper()
                    if value.startswith("0X"):
                        value = "0x" + value[2:]
                    self.add("error_code", value, confidence, start, end)
        context = bool(_ERROR_CONTEXT.search(self.text))
        for match in _APPLIANCE_CODE.finditer(self.text):
            if self.free(*match.span()):
                self.add("error_code", match.group(0), 0.75 if context else 0.5, *match.span())

    def amounts(self) -> None:
        for index, pattern in enumerate(_AMOUNT_PATTERNS):
            for match in pattern.finditer(self.text):
                symbol, number = match.group(1 + index), match.group(2 - index)
                if not self.free(*match.span()):
                    continue
                amount = parse_number(number)
                if amount is None:
                    continue
                currency = _CURRENCY_SYMBOLS.get(symbol.upper(), symbol.upper())
                self.add(
                    "amount", f"{amount} {currency}", 0.9, *match.span(),
                    amount=amount, currency=currency,
                )  # fmt: skip
        for match in _LABELLED_AMOUNT.finditer(self.text):
            start, end = match.span(1)
            amount = parse_number(match.group(1))
            if amount is not None and self.free(start, end):
                self.add("amount", amount, 0.75, start, end, amount=amount, currency=None)

    def statuses(self) -> None:
        for pattern, value in _STATUS_PATTERNS:
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
