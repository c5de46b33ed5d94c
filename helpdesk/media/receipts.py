"""Receipts and payment screenshots read like an accountant: which amount was paid, when,
to whom, in which currency, and whether the payment went through.

Adds to the fields ``extract_fields`` found (analysis JSON keeps its shape):

- ``total``: the amount the customer paid. Candidates are the amounts on the page; each is
  scored by the words on its row (Tesseract's word boxes, so an amount printed in a column
  to the right of "TOTAL" belongs to it even when Tesseract reads the column separately),
  in English, Spanish, German, French, Portuguese and Italian; by whether the page's
  arithmetic confirms it (subtotal + tax, cash − change); and by where it is (totals are
  printed below the items and are the largest amount that is not cash handed over).
- ``date``: the transaction date first (the one labelled "date"/"fecha"/"datum"…, else the
  first on the page; an expiry or due date last).
- ``merchant``: the shop's name, the first line of the header that is not an address,
  a number or a greeting.
- ``currency``: from symbols and codes on the page (RM, €, $, EUR…).
- ``status``: paid / failed / pending, from payment-app wording.

Totals are money: a value is kept only with two decimals, so quantities ("TOTAL QTY 1")
are not mistaken for it.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from helpdesk.media.fields import Field
from helpdesk.media.patterns import parse_number

# Words that name the paid amount, strongest first. Lower-case, accents as printed.
_GRAND = (
    r"grand\s*total|total\s*amount|amount\s*(?:due|paid|payable)|total\s*(?:due|paid|payable"
    r"|to\s*pay|incl\w*|inc\.?|sales|rounded|after|nett?|with|amt\w*|rm)|nett?\s*total|balance\s*due"
    r"|rounded\s*total|total\s*rm|total\s*\(rm\)|importe\s*total|total\s*a\s*pagar"
    r"|a\s*pagar|total\s*pagado|importe\s*pagado|monto\s*total|valor\s*total|valor\s*pago"
    r"|total\s*geral|gesamtbetrag|gesamtsumme|zu\s*zahlen|endbetrag|summe\s*eur|bezahlt"
    r"|montant\s*total|total\s*ttc|net\s*[àa]\s*payer|[àa]\s*payer|montant\s*pay[ée]"
    r"|totale\s*complessivo|totale\s*euro|importo\s*pagato|da\s*pagare|totale\s*da\s*pagare"
    r"|you\s*paid|paid|pagado|pagaste|payé|pago\s*realizado"
)
_PLAIN = r"total|totale|totaal|summe|gesamt|betrag|importe|monto|montant|importo|valor|amount"
_NOT_TOTAL = (
    r"sub[\s\-]*total|subtotale?|zwischensumme|sous[\s\-]*total|total\s*(?:items?|qty|quantity"
    r"|disc\w*|saving\w*|excl\w*|item\(s\)|qt[yd]|dty|ttens)|items?|qty|quantity|discount"
    r"|descuento|rabatt|remise|sconto|desconto|service|change|cambio|rückgeld|wechselgeld"
    r"|rendu|monnaie|resto|troco|cash|efectivo|bar(?:geld)?|esp[eè]ces|contanti|dinheiro"
    r"|tendered|entregado|rounding|redondeo|adj\w*|points?|saved|saving"
)
_CASH = r"cash|efectivo|bargeld|bar|esp[eè]ces|contanti|dinheiro|tendered|entregado|paid\s*cash"
_CHANGE = r"change|cambio|rückgeld|wechselgeld|rendu|monnaie|resto|troco"
_SUBTOTAL = r"sub[\s\-]*total|subtotale?|zwischensumme|sous[\s\-]*total|netto"
_TAX = r"tax|gst|vat|iva|mwst|ust|tva|sst|imposto|impuesto|excl\w*|netto"

GRAND = re.compile(r"(?<![a-z])(?:" + _GRAND + r")(?![a-z])", re.IGNORECASE)
PLAIN = re.compile(r"(?<![a-z])(?:" + _PLAIN + r")(?![a-z])", re.IGNORECASE)
NOT_TOTAL = re.compile(r"(?<![a-z])(?:" + _NOT_TOTAL + r")(?![a-z])", re.IGNORECASE)
CASH = re.compile(r"(?<![a-z])(?:" + _CASH + r")(?![a-z])", re.IGNORECASE)
CHANGE = re.compile(r"(?<![a-z])(?:" + _CHANGE + r")(?![a-z])", re.IGNORECASE)
SUBTOTAL = re.compile(r"(?<![a-z])(?:" + _SUBTOTAL + r")(?![a-z])", re.IGNORECASE)
TAX = re.compile(r"(?<![a-z])(?:" + _TAX + r")(?![a-z])", re.IGNORECASE)
DATE_LABEL = re.compile(r"date|fecha|datum|data|fecha\s*de\s*compra|dated", re.IGNORECASE)
OTHER_DATE = re.compile(r"exp|valid|due|vence|caduc|until|hasta|bis|best\s*before", re.IGNORECASE)

# Money: two decimals, optional thousands, optional currency glued on ("RM15.00", "15,00€").
MONEY = re.compile(
    r"(?<![\d.,])(?:RM|€|\$|£|EUR|USD|GBP|R\$)?\s?"
    r"(-?\d{1,3}(?:[.,  ]\d{3})*[.,]\d{2}|-?\d+ ?[.,] ?\d{2}"
    # OCR reads a receipt's faint decimal point as a dash ("15-00"); not inside a date.
    r"|(?<![\d\-/.])\d+-\d{2}(?![\d\-/:.]))(?![\d])",
    re.IGNORECASE,
)
CURRENCIES = (
    (re.compile(r"\bRM\s?\d|\bRM\b|ringgit", re.IGNORECASE), "MYR"),
    (re.compile(r"€|\bEUR\b|\beuros?\b", re.IGNORECASE), "EUR"),
    (re.compile(r"£|\bGBP\b"), "GBP"),
    (re.compile(r"R\$|\bBRL\b|\breais\b", re.IGNORECASE), "BRL"),
    (re.compile(r"₹|\bINR\b|\bRs\.?\s?\d", re.IGNORECASE), "INR"),
    (re.compile(r"\bMXN\b|MX\$"), "MXN"),
    (re.compile(r"\bCHF\b"), "CHF"),
    (re.compile(r"US\$|\bUSD\b|\$"), "USD"),
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
_HEADER_SKIP = re.compile(
    r"tax\s*invoice|invoice|receipt|recibo|factura|quittung|rechnung|re[cç]u|ricevuta"
    r"|ticket|welcome|bienvenid|thank|gracias|tel|fax|phone|gst|reg|no\.|www|http|@"
    r"|payment|pago|paiement|zahlung|pagamento|details|detalles|status|estado|amount|date"
    r"|transaction|transacci[oó]n|failed|successful|pending"
    r"|jalan|jln|street|st\.|road|calle|avenida|strasse|straße|rue|via|taman|lot",
    re.IGNORECASE,
)


@dataclass
class _Row:
    """Words on one printed row (by box geometry, not Tesseract's block/line ids)."""

    text: str
    top: float
    bottom: float
    words: list[Any]


@dataclass
class _Placed:
    text: str
    box: tuple[int, int, int, int]
    word: Any  # the OCR word, with its box in the picture's own coordinates


def _upright(words: Sequence[Any]) -> list[_Placed]:
    """Word boxes in the page's reading frame, whichever way the page lay when it was read
    (turned by us, or a sideways block Tesseract turned by itself): the direction from one
    word to the next on a line is "right". Only order and overlap matter here, so offsets
    are left out (coordinates may be negative)."""
    steps = [
        (b.box[0] - a.box[0], b.box[1] - a.box[1])
        for a, b in itertools.pairwise(words)
        if a.line == b.line
    ]
    across = sum(1 for dx, dy in steps if abs(dx) >= abs(dy) and dx > 0)
    leftward = sum(1 for dx, dy in steps if abs(dx) >= abs(dy) and dx < 0)
    down = sum(1 for dx, dy in steps if abs(dy) > abs(dx) and dy > 0)
    up = sum(1 for dx, dy in steps if abs(dy) > abs(dx) and dy < 0)
    direction = max(
        ((1, 0), across), ((-1, 0), leftward), ((0, 1), down), ((0, -1), up), key=lambda d: d[1]
    )[0]
    placed = []
    for word in words:
        x, y, w, h = word.box
        if direction == (1, 0):
            box = (x, y, w, h)
        elif direction == (-1, 0):
            box = (-(x + w), -(y + h), w, h)
        elif direction == (0, 1):  # reading downwards: the page lies turned clockwise
            box = (y, -(x + w), h, w)
        else:
            box = (-(y + h), x, h, w)
        placed.append(_Placed(word.text, box, word))
    return placed


def _rows(words: Sequence[Any]) -> list[_Row]:
    ordered = sorted(words, key=lambda w: w.box[1] + w.box[3] / 2)
    rows: list[list[Any]] = []
    for word in ordered:
        middle = word.box[1] + word.box[3] / 2
        if rows:
            last = rows[-1]
            top = min(w.box[1] for w in last)
            bottom = max(w.box[1] + w.box[3] for w in last)
            height = max(bottom - top, 1)
            if top - 0.15 * height <= middle <= bottom + 0.15 * height:
                last.append(word)
                continue
        rows.append([word])
    out = []
    for row in rows:
        row.sort(key=lambda w: w.box[0])
        out.append(
            _Row(
                " ".join(w.text for w in row),
                min(w.box[1] for w in row),
                max(w.box[1] + w.box[3] for w in row),
                row,
            )
        )
    return out


def _lines_from_text(text: str) -> list[_Row]:
    return [_Row(line, float(i), float(i) + 1, []) for i, line in enumerate(text.splitlines())]


@dataclass
class _Candidate:
    value: float
    raw: str
    row: int
    score: float = 0.0


def _money(row: _Row) -> list[tuple[float, str, str]]:
    """(value, raw, label) of each amount on a row; the label is the text between the
    previous amount and this one ("Total Saving 0.00 Total 77.20"), or the row's leading
    words when the amounts stand in columns after it."""
    found = []
    previous_end = 0
    leading = ""
    for match in MONEY.finditer(row.text):
        parsed = parse_number(re.sub(r" ?([.,\-]) ?(\d{2})$", r".\2", match.group(1).lstrip("-")))
        label = row.text[previous_end : match.start()]
        if not found:
            leading = label
        if not any(c.isalpha() for c in label):
            label = leading
        previous_end = match.end()
        if parsed is not None:
            found.append((float(parsed), match.group(0).strip(), label))
    return found


def find_total(rows: list[_Row]) -> _Candidate | None:
    """The paid amount: see the module doc."""
    candidates: list[_Candidate] = []
    labelled: dict[str, list[float]] = {"cash": [], "change": [], "subtotal": [], "tax": []}
    for index, row in enumerate(rows):
        amounts = _money(row)
        if not amounts:
            continue
        # A label alone on the row above ("TOTAL" then the amount below it) counts, less.
        above = rows[index - 1].text if index and not _money(rows[index - 1]) else ""
        for kind, pattern in (
            ("cash", CASH),
            ("change", CHANGE),
            ("subtotal", SUBTOTAL),
            ("tax", TAX),
        ):
            if pattern.search(amounts[0][2]):
                labelled[kind].append(amounts[-1][0])
        for position, (value, raw, label) in enumerate(amounts):
            if value <= 0:
                continue
            candidate = _Candidate(value, raw, index)
            if NOT_TOTAL.search(label):
                candidate.score -= 3.0
            elif GRAND.search(label):
                candidate.score += 4.0
            elif TAX.search(label):
                candidate.score -= 2.0
            elif PLAIN.search(label):
                candidate.score += 3.0
            elif not any(c.isalpha() for c in label) and above and not NOT_TOTAL.search(above):
                if GRAND.search(above):
                    candidate.score += 2.5
                elif PLAIN.search(above) and not TAX.search(above):
                    candidate.score += 2.0
            if position == len(amounts) - 1:
                candidate.score += 0.2  # the row's right-most amount is its value
            candidates.append(candidate)
    if not candidates:
        return None
    values = [c.value for c in candidates]
    cash = max(labelled["cash"], default=None)
    largest_not_cash = max((v for v in values if cash is None or v != cash), default=None)
    for candidate in candidates:
        value = candidate.value
        if any(
            abs(value - (c - ch)) < 0.006 for c in labelled["cash"] for ch in labelled["change"]
        ):
            candidate.score += 2.0  # cash handed over minus change
        if any(abs(value - (s + t)) < 0.006 for s in labelled["subtotal"] for t in labelled["tax"]):
            candidate.score += 2.0  # subtotal plus tax
        if largest_not_cash is not None and abs(value - largest_not_cash) < 0.006:
            candidate.score += 1.0
        # The same amount printed again (total, then cash or card charged) confirms it.
        if sum(abs(v - value) < 0.006 for v in values) >= 2:
            candidate.score += 0.5
        candidate.score += 0.5 * candidate.row / max(1, len(rows))  # totals sit low
    best = max(candidates, key=lambda c: (c.score, c.value))
    return best if best.score >= 1.0 else None


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


def find_merchant(rows: list[_Row]) -> str | None:
    """The first header line that reads as a name: mostly letters, not an address."""
    for row in rows[:8]:
        text = row.text.strip(" .,:-*")
        letters = sum(c.isalpha() for c in text)
        if letters < 4 or letters < 0.6 * len(text.replace(" ", "")):
            continue
        if _HEADER_SKIP.search(text) or MONEY.search(text):
            continue
        return text
    return None


def order_dates(fields: list[Field], rows: list[_Row], text: str) -> None:
    """Put the transaction date first among the date fields (in place)."""
    dates = [f for f in fields if f.type == "date"]
    if len(dates) < 2:
        return
    lines = text.splitlines()

    def rank(found: Field) -> tuple[int, int]:
        line_index = int(found.where.get("line", 1)) - 1
        line = lines[line_index] if 0 <= line_index < len(lines) else ""
        before = line[: max(0, found.where.get("start", 0) - _line_start(text, line_index))]
        if OTHER_DATE.search(before):
            return (2, line_index)
        if DATE_LABEL.search(before):
            return (0, line_index)
        return (1, line_index)

    ranked = sorted(dates, key=rank)
    others = [f for f in fields if f.type != "date"]
    fields[:] = ranked + others


_NUMERIC_DATE = re.compile(r"(\d{1,2})\s?[/.\-]\s?(\d{1,2})\s?[/.\-]\s?(\d{2,4})")


def _settle_day_month(fields: list[Field], *, day_first: bool) -> None:
    """Dates like 02/12/2017 are either order; the text's language does not say which on a
    receipt (English is printed in Malaysia, India, the UK: day first). Day first unless the
    page pays in US dollars or prints an unmistakable month-first date."""
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
            found.value = dt.date(year, month, day).isoformat()
        except ValueError:
            continue


def _line_start(text: str, line_index: int) -> int:
    position = 0
    for _ in range(line_index):
        position = text.find("\n", position) + 1
        if position == 0:
            return 0
    return position


def read_receipt(
    text: str, words: Sequence[Any], fields: list[Field], *, rotation: int = 0
) -> list[Field]:
    """``fields`` with the receipt's own fields added (total, merchant, currency, status)
    and its transaction date first; ``rotation`` is how far OCR turned the picture."""
    rows = _rows(_upright(words)) if words else _lines_from_text(text)
    out = list(fields)
    currency = find_currency(text)
    _settle_day_month(out, day_first=currency != "USD")
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
    order_dates(out, rows, text)
    return out


def _box(words: Sequence[Any]) -> list[int]:
    x0 = min(w.box[0] for w in words)
    y0 = min(w.box[1] for w in words)
    x1 = max(w.box[0] + w.box[2] for w in words)
    y1 = max(w.box[1] + w.box[3] for w in words)
    return [x0, y0, x1 - x0, y1 - y0]
