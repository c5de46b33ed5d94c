"""The patterns and validators behind ``helpdesk.media.fields``: labels, codes, amounts in
both decimal notations, dates in English and Spanish, payment status words, card numbers.

Kept apart from the extractor so that adding a label or a month spelling is a one-line
change here, tested in tests/helpdesk/media/test_fields.py.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

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
LABEL_PATTERNS = {
    kind: re.compile(r"(?<![A-Za-z])" + label + _SEP + _ID, re.IGNORECASE)
    for kind, label in _LABELS.items()
}

ERROR_PATTERNS: list[tuple[re.Pattern[str], float]] = [
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
APPLIANCE_CODE = re.compile(r"\b[EFUHCPLD]\d{2}\b")
ERROR_CONTEXT = re.compile(
    r"error|fault|code|c[oó]digo|fallo|falla|aver[ií]a|pantalla|display", re.IGNORECASE
)

AMAZON_ORDER = re.compile(r"\b\d{3}-\d{7}-\d{7}\b")

_NUMBER = r"(\d{1,3}(?:[.,  ]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?)"
CURRENCY_SYMBOLS = {
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
AMOUNT_PATTERNS = [
    re.compile(_SYMBOL + r"[ \t]?" + _NUMBER + r"(?![\d])", re.IGNORECASE),
    re.compile(r"(?<![\d.,])" + _NUMBER + r"[ \t]?" + _SYMBOL + r"(?![A-Za-z])", re.IGNORECASE),
]
LABELLED_AMOUNT = re.compile(
    r"(?:total|amount|importe|monto|precio|price|subtotal|paid|pagado|cantidad|valor"
    r"|debited|cargo|a[ \t]*pagar)\b[^\n\d]{0,20}?(?<![\d.,])"
    r"(\d{1,3}(?:[.,  ]\d{3})*[.,]\d{2}|\d+[.,]\d{2})(?![\d])",
    re.IGNORECASE,
)

MONTHS = {
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
    # German, French, Italian and Portuguese (receipts of tourists and expats), with the
    # accents OCR drops as well as the printed ones.
    "januar": 1, "jänner": 1, "janvier": 1, "gennaio": 1, "gen": 1, "janeiro": 1,
    "februar": 2, "février": 2, "fevrier": 2, "févr": 2, "fevr": 2, "febbraio": 2,
    "fevereiro": 2, "fev": 2,
    "märz": 3, "marz": 3, "mrz": 3, "mär": 3, "mars": 3, "março": 3, "marco": 3,
    "avril": 4, "avr": 4, "aprile": 4,
    "mai": 5, "maggio": 5, "mag": 5, "maio": 5,
    "juni": 6, "juin": 6, "giugno": 6, "giu": 6, "junho": 6,
    "juli": 7, "juillet": 7, "juil": 7, "luglio": 7, "lug": 7, "julho": 7,
    "août": 8, "aout": 8, "aoû": 8,
    "septembre": 9, "settembre": 9, "sett": 9, "setembro": 9,
    "oktober": 10, "okt": 10, "octobre": 10, "ottobre": 10, "ott": 10, "outubro": 10,
    "out": 10,
    "novembre": 11, "novembro": 11,
    "dezember": 12, "dez": 12, "décembre": 12, "decembre": 12, "déc": 12, "dicembre": 12,
    "dezembro": 12,
}  # fmt: skip
_MONTH = r"(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")"
DATE_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b"), "ymd"),
    # Receipts print the time right after the date ("21/05/2018Time") and OCR puts spaces
    # around separators ("12- 01-19"): digits, not word boundaries, delimit the date.
    (
        re.compile(
            r"(?<![\d/.\-])(\d{1,2})([/.\-])[ \t]?(\d{1,2})\2[ \t]?(\d{4}|\d{2})(?![\d])"
        ),
        "numeric",
    ),
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
STATUS_PATTERNS = [
    (re.compile(r"(?<![A-Za-zÁ-ú])(?:" + words + r")(?![A-Za-zÁ-ú])", re.IGNORECASE), value)
    for words, value in _STATUS_WORDS
]

_CARD_DIGITS = re.compile(r"(?<![\d])(?:\d[ \-]?){12,18}\d(?![\d])")
CARD_MASKED = re.compile(
    r"(?:(?:[*•xX·]{2,4}[ \-]?){1,3}|ending[ \t]+(?:in[ \t]+)?|terminada[ \t]+en[ \t]+"
    r"|acabada[ \t]+en[ \t]+)(\d{4})(?![\d])",
    re.IGNORECASE,
)


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


def card_numbers(text: str) -> Iterable[tuple[int, int, str]]:
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
    for start, end, digits in card_numbers(text):
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


def full_year(raw: str) -> int:
    year = int(raw)
    if len(raw) == 2:
        year += 2000 if year < 70 else 1900
    return year


def make_date(year: int, month: int, day: int) -> str | None:
    if not 1990 <= year <= 2100:
        return None
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None
