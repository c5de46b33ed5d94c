"""Receipts and payment screenshots read like an accountant: which amount was paid, when,
to whom, in which currency, and whether the payment went through.

Adds to the fields ``extract_fields`` found (analysis JSON keeps its shape):

- ``total``: the amount the customer paid (helpdesk/media/receipt_total.py), on the
  printed rows rebuilt from Tesseract's word boxes (helpdesk/media/receipt_layout.py).
- ``date``: the transaction date first: not in the future, then the one labelled
  "date"/"fecha"/"datum"… on its row (by word boxes) or on the row above, else the first
  on the page; an expiry or due date last.
- ``merchant``: the shop's name, the first line of the header that is not an address,
  a number or a greeting.
- ``currency``: from symbols and codes on the page (RM, €, $, EUR…).
- ``status``: paid / failed / pending, from payment-app wording.

"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from helpdesk.media import receipt_layout as layout
from helpdesk.media.fields import Field
from helpdesk.media.receipt_layout import Row
from helpdesk.media.receipt_total import MONEY, find_total

DATE_LABEL = re.compile(r"date|fecha|datum|data|fecha\s*de\s*compra|dated", re.IGNORECASE)
OTHER_DATE = re.compile(r"exp|valid|due|vence|caduc|until|hasta|bis|best\s*before", re.IGNORECASE)

# A bare "$" or "£" counts only beside an amount: receipts print "($)" in item names and
# OCR reads "C1-0170778" as "£1-0170778"; a page taken for dollars would also read its
# dates month first.
_PRICE = r"\d[\d,]*(?:\.\d{2})?(?![\d\-/])"
CURRENCIES = (
    (re.compile(r"\bRM\s?\d|\bRM\b|ringgit", re.IGNORECASE), "MYR"),
    (re.compile(r"€|\bEUR\b|\beuros?\b", re.IGNORECASE), "EUR"),
    (re.compile(r"£\s?" + _PRICE + r"|\d[.,]\d{2}\s?£|\bGBP\b"), "GBP"),
    (re.compile(r"R\$|\bBRL\b|\breais\b", re.IGNORECASE), "BRL"),
    (re.compile(r"₹|\bINR\b|\bRs\.?\s?\d", re.IGNORECASE), "INR"),
    (re.compile(r"\bMXN\b|MX\$"), "MXN"),
    (re.compile(r"\bCHF\b"), "CHF"),
    (re.compile(r"US\$|\bUSD\b|\$\s?" + _PRICE + r"|\d[.,]\d{2}\s?\$"), "USD"),
)
# What only US tills print: the tender lines of Walmart's and Target's tills ("VISA TEND",
# "DEBIT TEND") and a state and ZIP code after the town ("AUSTIN, TX 78701"). Such a
# receipt writes its dates month first though its amounts carry no "$" (Walmart prints
# none). "CHANGE DUE" and "SALES TAX" are printed in Malaysia too (a dev-set receipt).
_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV"
    "|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY"
)
US_TILL = re.compile(
    r"(?i:\b(?:visa|debit|credit|cash|mcard|amex|ebt|disc)\s+tend\b)"
    r"|,\s*(?:" + _STATES + r")\s+\d{5}(?:-\d{4})?\b"
)
STATUSES = (
    (
        re.compile(
            r"not\s*successful|unsuccessful|failed|failure|declined|rejected|fallid[oa]"
            r"|rechazad[oa]|denegad[oa]|abgelehnt|fehlgeschlagen|refus[ée]e?|[ée]chou[ée]"
            r"|recusad[oa]|rifiutat[oa]|non\s*riuscit[oa]",
            re.IGNORECASE,
        ),
        "failed",
    ),
    (
        re.compile(
            r"pending|processing|in\s*progress|on\s*hold|pendiente|en\s*proceso|procesando"
            r"|ausstehend|in\s*bearbeitung|en\s*attente|en\s*cours|pendente|em\s*processamento"
            r"|in\s*attesa|in\s*elaborazione",
            re.IGNORECASE,
        ),
        "pending",
    ),
    (
        re.compile(
            r"successful(?:ly)?|success|completed|approved|confirmed|paid|exitos[oa]"
            r"|completad[oa]|aprobad[oa]|pagad[oa]|bezahlt|erfolgreich|pay[ée]e?|r[ée]ussi"
            r"|aprovad[oa]|pago\s*efetuado|pagat[oa]|riuscit[oa]|thank\s*you|gracias|danke"
            r"|merci|obrigad[oa]|grazie",
            re.IGNORECASE,
        ),
        "paid",
    ),
)
# Company forms in the countries customers write from: what a shop's legal name ends with.
COMPANY = re.compile(
    r"(?<![a-z])(?:sdn\.?\s*bhd|bhd|s/b|ltd|limited|llc|inc|corp|plc|pty|gmbh|ag|kg|e\.?\s?k"
    r"|s\.?\s?a\.?\s?s|sarl|s\.?\s?a|s\.?\s?l|s\.?\s?r\.?\s?l|s\.?\s?p\.?\s?a|lda|ltda|eireli"
    r"|s\.?\s?a\.?\s?de\s?c\.?\s?v)\.?(?![a-z])",
    re.IGNORECASE,
)
# A payment screenshot that shows an error says so ("Error code: U30", "Fehler").
SPEAKS_OF_ERROR = re.compile(
    r"error|fault|fehler|erreur|errore|\berro\b|fallo|falla|falh[ao]|fail|declin|rechaz",
    re.IGNORECASE,
)
# What introduces the company that owns the shop, on its row or the row above.
OWNER_LABEL = re.compile(
    r"owned\s*by|operated\s*by|managed\s*by|a\s*division\s*of|propiedad\s*de|operado\s*por"
    r"|betrieben\s*von|inhaber|exploit[ée]\s*par",
    re.IGNORECASE,
)
_HEADER_SKIP = re.compile(
    r"tax\s*invoice|invoice|receipt|recibo|factura|quittung|rechnung|re[cç]u|ricevuta"
    r"|ticket|welcome|bienvenid|thank|gracias|tel|fax|phone|gst|reg|no\.|www|http|@"
    r"|payment|pago|paiement|zahlung|pagamento|details|detalles|status|estado|amount|date"
    r"|transaction|transacci[oó]n|failed|successful|pending"
    r"|jalan|jln|street|st\.|road|calle|avenida|strasse|straße|rue|via|taman|lot",
    re.IGNORECASE,
)


def find_currency(text: str) -> str | None:
    for pattern, code in CURRENCIES:
        if pattern.search(text):
            return code
    return None


def find_status(text: str) -> str | None:
    for pattern, value in STATUSES:
        if pattern.search(text):
            return value
    return None


def find_merchant(rows: list[Row]) -> str | None:
    """The header line that names the business (a company form such as "Sdn Bhd", "Ltd",
    "GmbH", "S.L."), else the first header line that reads as a name: mostly letters, not
    an address. A name stamped or written above the shop's own (a cashier, a customer)
    is not the merchant; a trade name printed right above the company's is ("GHEE HIANG"
    over "GH DISTRIBUTOR & MARKETING SDN BHD"), unless it is in small letters only: tills
    print names in capitals or title case, and a name in lower case was added to the
    picture ("tan woon yann" on a scanned slip); such a name is the merchant only when
    the header has no other. A company introduced as the owner
    ("Owned By : SANYU SUPPLY SDN BHD") is not the shop's name when the header named it
    first ("SANYU STATIONERY SHOP"); a label ("Owned By :") is never a name."""
    names: list[tuple[str, Row, int]] = []
    small: list[tuple[str, Row, int]] = []  # names in lower case only: the last resort
    owner_row = -2
    for index, row in enumerate(rows[:8]):
        if OWNER_LABEL.search(row.text):
            owner_row = index
        text = row.text.strip(" .,:-*")
        if COMPANY.search(text) and not MONEY.search(text):
            if names and owner_row >= index - 1:
                return names[0][0]
            if names and names[-1][2] == index - 1:
                above = names[-1][1]
                if row.top - above.bottom < max(1.0, row.bottom - row.top):
                    return names[-1][0]
            return text
        if row.text.rstrip().endswith(":"):
            continue
        letters = sum(c.isalpha() for c in text)
        if letters < 4 or letters < 0.6 * len(text.replace(" ", "")):
            continue
        if _HEADER_SKIP.search(text) or MONEY.search(text):
            continue
        (names if any(c.isupper() for c in text) else small).append((text, row, index))
    return (names or small)[0][0] if names or small else None


def order_dates(
    fields: list[Field], rows: list[Row], text: str, *, today: dt.date | None = None
) -> None:
    """Put the transaction date first among the date fields (in place): a date that is
    not in the future before one that is (a receipt is not dated later than the day it is
    sent; "valid until" and expiry dates are); then one labelled as the date ("Date:",
    "Fecha", "Datum"), on its row or alone on the row above, before an unlabelled one;
    an expiry or due date last; otherwise the first on the page."""
    dates = [f for f in fields if f.type == "date"]
    if len(dates) < 2:
        return
    latest = (today or dt.date.today()) + dt.timedelta(days=1)  # the sender's time zone
    lines = text.splitlines()

    def rank(found: Field) -> tuple[bool, int, int]:
        line_index = int(found.where.get("line", 1)) - 1
        line = lines[line_index] if 0 <= line_index < len(lines) else ""
        before = line[: max(0, found.where.get("start", 0) - _line_start(text, line_index))]
        before += " " + _before_on_row(found, rows)
        try:
            future = dt.date.fromisoformat(found.value) > latest
        except ValueError:
            future = False
        if OTHER_DATE.search(before):
            return (future, 2, line_index)
        if DATE_LABEL.search(before):
            return (future, 0, line_index)
        return (future, 1, line_index)

    ranked = sorted(dates, key=rank)
    others = [f for f in fields if f.type != "date"]
    fields[:] = ranked + others


def _before_on_row(found: Field, rows: list[Row]) -> str:
    """The words printed left of a date on its row (word boxes; Tesseract may have read the
    label in another block), or the row above when it holds only words (a label)."""
    start, end = found.where.get("start"), found.where.get("end")
    if start is None or end is None:
        return ""
    for index, row in enumerate(rows):
        hits = [
            i
            for i, p in enumerate(row.words)
            if getattr(p.word, "start", 0) < end and getattr(p.word, "end", 0) > start
        ]
        if not hits:
            continue
        before = " ".join(p.text for p in row.words[: hits[0]])
        if not before.strip() and index and not any(c.isdigit() for c in rows[index - 1].text):
            before = rows[index - 1].text
        return before
    return ""


_NUMERIC_DATE = re.compile(r"(\d{1,2})\s?[/.\-]\s?(\d{1,2})\s?[/.\-]\s?(\d{2,4})")


def _settle_day_month(
    fields: list[Field], *, day_first: bool, today: dt.date | None = None
) -> None:
    """Dates like 02/12/2017 are either order; the text's language does not say which on a
    receipt (English is printed in Malaysia, India, the UK: day first). Day first unless the
    page pays in US dollars or was printed by a US till (US_TILL), or prints an
    unmistakable month-first date, or that order puts the date in the future and the other
    does not (a receipt is not dated after the day it is sent)."""
    latest = (today or dt.date.today()) + dt.timedelta(days=1)
    dates = [f for f in fields if f.type == "date"]
    parsed = [(f, _NUMERIC_DATE.fullmatch(f.raw.strip())) for f in dates]
    if any(m and int(m.group(2)) > 12 for _, m in parsed):
        day_first = False
    elif any(m and int(m.group(1)) > 12 for _, m in parsed):
        day_first = True  # the page itself writes the day first, whatever its currency
    for found, match in parsed:
        if not match:
            continue
        first, second = int(match.group(1)), int(match.group(2))
        if first > 12 or second > 12:
            continue
        year = int(match.group(3))
        year += 2000 if year < 70 else (1900 if year < 100 else 0)
        month, day = (second, first) if day_first else (first, second)
        try:
            value = dt.date(year, month, day)
            if value > latest and dt.date(year, day, month) <= latest:
                value = dt.date(year, day, month)
        except ValueError:
            continue
        found.value = value.isoformat()


def _line_start(text: str, line_index: int) -> int:
    position = 0
    for _ in range(line_index):
        position = text.find("\n", position) + 1
        if position == 0:
            return 0
    return position


def read_receipt(
    text: str,
    words: Sequence[Any],
    fields: list[Field],
    *,
    rotation: int = 0,
    today: dt.date | None = None,
) -> list[Field]:
    """``fields`` with the receipt's own fields added (total, merchant, currency, status)
    and its transaction date first; ``rotation`` is how far OCR turned the picture,
    ``today`` the day it was sent (no receipt is dated after it)."""
    rows = layout.rows(words) if words else layout.rows_from_text(text)
    out = list(fields)
    if not SPEAKS_OF_ERROR.search(text):
        # A till prints item and department codes shaped like an appliance's error codes
        # ("SX-575", "FZ-04"); on a receipt a code is an error only where the page says so.
        out = [f for f in out if f.type != "error_code"]
    currency = find_currency(text)
    month_first = currency == "USD" or US_TILL.search(text) is not None
    _settle_day_month(out, day_first=not month_first, today=today)
    total = find_total(rows)
    if total is not None:
        own = [p.word for p in rows[total.row].words]
        box = _box(own) if own else None
        where: dict[str, Any] = {"source": "receipt", "row": total.row + 1}
        if box:
            where["box"] = box
        out.append(
            Field(
                "total",
                f"{total.value:.2f}",
                min(0.95, 0.5 + 0.08 * total.score),
                total.raw,
                where,
                {"amount": f"{total.value:.2f}", "currency": currency},
            )
        )
    merchant = find_merchant(rows)
    if merchant:
        out.append(Field("merchant", merchant, 0.7, merchant, {"source": "receipt"}))
    if currency:
        out.append(Field("currency", currency, 0.8, currency, {"source": "receipt"}))
    status = find_status(text)
    if status:
        out.append(Field("status", status, 0.7, status, {"source": "receipt"}))
    order_dates(out, rows, text, today=today)
    return out


def _box(words: Sequence[Any]) -> list[int]:
    x0 = min(w.box[0] for w in words)
    y0 = min(w.box[1] for w in words)
    x1 = max(w.box[0] + w.box[2] for w in words)
    y1 = max(w.box[1] + w.box[3] for w in words)
    return [x0, y0, x1 - x0, y1 - y0]
