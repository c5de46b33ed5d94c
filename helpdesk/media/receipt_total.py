"""Which amount on a receipt is the one the customer paid (the field of type ``total``).

Every amount with two decimals on the page is a candidate (quantities such as "TOTAL QTY
1" are not money), scored as an accountant would read the page:

- the words on its printed row (helpdesk/media/receipt_layout.py): names of the paid
  amount in English, Spanish, German, French, Portuguese and Italian raise it; subtotal,
  tax, discount, cash tendered and change lower it; a label alone on the row above counts,
  less;
- the page's arithmetic: subtotal + tax, the item amounts above it, cash tendered minus
  change (also when the cash row's label was not read: the amount that is another amount
  plus the change is the cash handed over, and that other amount is what was paid);
- where it is: in the right-most column of figures, low on the page, the largest amount
  that is not cash handed over, printed twice (total, then the card or cash charged).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from helpdesk.media.patterns import parse_number
from helpdesk.media.receipt_layout import Row, amount_column, right_edge

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
    # Before tax, and cash handed over, in German, French, Spanish, Italian, Portuguese.
    r"|total\s*h\.?t\.?|hors\s*taxes?|base\s*imponible|imponibile|netto\w*|gegeben"
    r"|contante|numerario|recebido"
)
_CASH = (
    r"cash|efectivo|bargeld|bar|gegeben|esp[eè]ces|contanti|contante|dinheiro|numerario"
    r"|recebido|tendered|entregado|paid\s*cash"
)
_CHANGE = r"change|cambio|rückgeld|wechselgeld|rendu|monnaie|resto|troco"
_SUBTOTAL = r"sub[\s\-]*total|subtotale?|zwischensumme|sous[\s\-]*total|netto"
_TAX = r"tax|gst|vat|iva|mwst|ust|tva|sst|imposto|impuesto|excl\w*|netto"


def _words(alternatives: str) -> re.Pattern[str]:
    return re.compile(r"(?<![a-z])(?:" + alternatives + r")(?![a-z])", re.IGNORECASE)


GRAND, PLAIN, NOT_TOTAL = _words(_GRAND), _words(_PLAIN), _words(_NOT_TOTAL)
CASH, CHANGE, SUBTOTAL, TAX = _words(_CASH), _words(_CHANGE), _words(_SUBTOTAL), _words(_TAX)
ROUNDING = _words(r"rounding|round\w*\s*adj\w*|redondeo|arrondi\w*|rundung|arrotondamento")
# A total's label that says it is the total after rounding ("Rounded Total", "Round. Total").
ROUNDED = re.compile(r"(?<![a-z])(?:round|redonde|arrondi|gerundet|arredond|arrotond)", re.I)

# Money: two decimals, optional thousands, optional currency glued on ("RM15.00", "15,00€").
MONEY = re.compile(
    r"(?<![\d.,])(?:RM|€|\$|£|EUR|USD|GBP|R\$)?\s?"
    r"(-?\d{1,3}(?:[.,  ]\d{3})*[.,]\d{2}|-?\d+ ?[.,] ?\d{2}"
    # OCR reads a receipt's faint decimal point as a dash ("15-00"); not inside a date.
    r"|(?<![\d\-/.])\d+-\d{2}(?![\d\-/:.]))(?![\d])",
    re.IGNORECASE,
)
_BARE_LABEL = re.compile(r"RM|EUR|USD|GBP|[€$£]|[^A-Za-z]", re.IGNORECASE)
CENT = 0.006  # two amounts this close are the same amount
# A rounding adjustment is less than the smallest coin (0.05 in Malaysia and Switzerland,
# 0.10 at most): two totals either side of a rounding row further apart than this cannot
# both have been read right.
MAX_ROUNDING = 0.10
ROUNDING_REACH = 3  # rows above and below a rounding row its totals are printed on
ITEM_ROWS = 30  # rows above a candidate whose amounts may add up to it


@dataclass
class Candidate:
    value: float
    raw: str
    row: int
    score: float = 0.0
    label: float = 0.0  # what the words on its row (or above it) say, see _label_score
    rounded: bool = False  # labelled as the total after rounding ("Rounded Total")
    last_on_row: bool = False
    bare: bool = False  # no words on its row: its label, if printed, was not read
    right: float | None = None  # right edge of its word, in the page's reading frame


def money(row: Row) -> list[tuple[float, str, str]]:
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


def _label_score(label: str, above: str) -> float:
    if NOT_TOTAL.search(label):
        return -3.0
    if GRAND.search(label):
        return 4.0
    if TAX.search(label):
        return TAX_SCORE
    if PLAIN.search(label):
        return 3.0
    if not any(c.isalpha() for c in label) and above and not NOT_TOTAL.search(above):
        if GRAND.search(above):
            return 2.5
        if PLAIN.search(above) and not TAX.search(above):
            return 2.0
    return 0.0


TAX_SCORE = -2.0


def _same(a: float, b: float) -> bool:
    return abs(a - b) < CENT


def find_total(rows: list[Row]) -> Candidate | None:
    """The paid amount: see the module doc."""
    candidates = score(rows)
    best = max(candidates, key=lambda c: (c.score, c.value), default=None)
    return best if best is not None and best.score >= 1.0 else None


def score(rows: list[Row]) -> list[Candidate]:
    """Every amount on the page, scored as the paid amount (see the module doc)."""
    candidates: list[Candidate] = []
    labelled: dict[str, list[tuple[float, int]]] = {
        "cash": [],
        "change": [],
        "subtotal": [],
        "tax": [],
        "rounding": [],
    }
    by_row: dict[int, list[float]] = {}
    for index, row in enumerate(rows):
        amounts = money(row)
        if not amounts:
            continue
        by_row[index] = [value for value, _, _ in amounts]
        # A label alone on the row above ("TOTAL" then the amount below it) counts, less.
        above = rows[index - 1].text if index and not money(rows[index - 1]) else ""
        for kind, pattern in (
            ("cash", CASH),
            ("change", CHANGE),
            ("subtotal", SUBTOTAL),
            ("tax", TAX),
            ("rounding", ROUNDING),
        ):
            if pattern.search(amounts[0][2]):
                labelled[kind].append((amounts[-1][0], index))
        for position, (value, raw, label) in enumerate(amounts):
            if value <= 0:
                continue
            named = _label_score(label, above)
            candidate = Candidate(value, raw, index, named, named)
            candidate.rounded = named > 0 and bool(ROUNDED.search(label))
            candidate.last_on_row = position == len(amounts) - 1
            candidate.bare = not _BARE_LABEL.sub("", label).strip(" .:=*-")
            candidate.right = right_edge(row, raw) if candidate.last_on_row else None
            candidates.append(candidate)
    if not candidates:
        return []
    values = [c.value for c in candidates]
    for candidate in candidates:
        others = [v for v in values if not _same(v, candidate.value)]
        if candidate.label == TAX_SCORE and others and candidate.value > max(others):
            # No tax is the largest amount on the page: the label is a neighbouring row's
            # (amounts printed half a row below their labels), so it says nothing.
            candidate.score -= candidate.label
            candidate.label = 0.0
    paid, handed = _payment(candidates, labelled)
    rounded, unrounded = _rounding(candidates, labelled["rounding"])
    misread = _rounding_misread(candidates, labelled["rounding"], values, rounded, unrounded)
    column = _column(rows, candidates)
    largest = max((c.value for c in candidates if (c.value, c.row) not in handed), default=None)
    for candidate in candidates:
        value = candidate.value
        if candidate.last_on_row:
            candidate.score += 0.2  # the row's right-most amount is its value
        if column is not None and candidate.right is not None:
            candidate.score += 0.3 if abs(candidate.right - column[0]) <= column[1] else -0.3
        if (value, candidate.row) in handed:
            candidate.score -= 2.0  # cash handed over or change given, found by arithmetic
        elif any(_same(value, p) for p in paid):
            candidate.score += 3.0  # cash handed over minus change: what was paid
        if any(candidate is m for m in misread):
            candidate.score -= 3.0  # the rounding cannot explain it: a digit misread
        if any(_same(value, r) for r in rounded):
            candidate.score += 1.5  # the total after rounding is what was paid
        elif any(_same(value, u) for u in unrounded):
            candidate.score -= 1.5
        if any(_same(value, s + t) for s, _ in labelled["subtotal"] for t, _ in labelled["tax"]):
            candidate.score += 2.0  # subtotal plus tax
        elif _items_add_up(candidate, by_row):
            candidate.score += 1.0  # the amounts above it (items, subtotal and tax)
        if largest is not None and _same(value, largest):
            candidate.score += 1.0
        # The same amount printed again (total, then cash or card charged) confirms it.
        if sum(_same(v, value) for v in values) >= 2:
            candidate.score += 0.5
        candidate.score += 0.5 * candidate.row / max(1, len(rows))  # totals sit low
    return candidates


def _payment(
    candidates: list[Candidate], labelled: dict[str, list[tuple[float, int]]]
) -> tuple[list[float], set[tuple[float, int]]]:
    """What cash tendered minus change says was paid, and the (value, row) of the cash and
    change amounts themselves. Labelled cash and change both read: their difference. One
    of the two labels not read: an amount with no words on its row next to the labelled
    one (cash, then the change below it) such that cash - change is an amount printed
    above the cash."""
    cash, change = labelled["cash"], labelled["change"]
    paid = [c - ch for c, _ in cash for ch, _ in change]
    handed = {(c.value, c.row) for c in candidates if (c.value, c.row) in cash + change}
    if cash and change:
        return paid, handed
    bare = [c for c in candidates if c.bare]
    if change:
        pairs = [
            ((c.value, c.row), ch) for ch in change for c in bare if ch[1] - 2 <= c.row < ch[1]
        ]
    else:
        pairs = [(c, (b.value, b.row)) for c in cash for b in bare if c[1] < b.row <= c[1] + 2]
    for (given, given_row), (back, back_row) in pairs:
        if back <= 0 or back >= given:
            continue
        if any(c.row < given_row and _same(given - back, c.value) for c in candidates):
            paid.append(given - back)
            handed |= {(given, given_row), (back, back_row)}
    return paid, handed


def _rounding(
    candidates: list[Candidate], adjustments: list[tuple[float, int]]
) -> tuple[list[float], list[float]]:
    """Totals after and before a rounding adjustment printed between them ("TOTAL 33.92",
    "ROUNDING -0.02", "TOTAL ROUNDED 33.90"): the one after is what was paid."""
    after, before = [], []
    for adjustment, row in adjustments:
        if adjustment <= 0:
            continue
        for first in (c for c in candidates if c.row < row):
            for second in (c for c in candidates if c.row > row):
                if _same(abs(first.value - second.value), adjustment):
                    after.append(second.value)
                    before.append(first.value)
    return after, before


def _rounding_misread(
    candidates: list[Candidate],
    adjustments: list[tuple[float, int]],
    values: list[float],
    after: list[float],
    before: list[float],
) -> list[Candidate]:
    """Totals that rounding shows were misread: the labelled totals right above and right
    below a rounding row, or a total and the "Rounded Total" right below it ("TOTAL 9.00",
    "ROUNDING 0.00", "ROUNDED TOTAL 9.60"), differ by more than any rounding, so one of
    them lost a digit; the one whose amount is not printed anywhere else on the page, when
    the other's is, is the misread one. A "Rounded Total" within a rounding of the total
    above it is what was paid: added to ``after``, the total to ``before``."""
    out: list[Candidate] = []
    pairs: list[tuple[list[Candidate], list[Candidate]]] = []
    for _, row in adjustments:
        above = [c for c in candidates if row - ROUNDING_REACH <= c.row < row and c.label > 0]
        below = [c for c in candidates if row < c.row <= row + ROUNDING_REACH and c.label > 0]
        pairs.append((above, below))
    for total in (c for c in candidates if c.rounded):
        reach = range(total.row - ROUNDING_REACH, total.row)
        pairs.append(([c for c in candidates if c.row in reach and c.label > 0], [total]))
    for above, below in pairs:
        if not above or not below:
            continue
        first = max(above, key=lambda c: c.row)
        second = min(below, key=lambda c: c.row)
        if first.rounded:
            continue
        if abs(first.value - second.value) <= MAX_ROUNDING + CENT:
            if second.rounded and not _same(first.value, second.value):
                after.append(second.value)
                before.append(first.value)
            continue
        seen = {c.value: sum(_same(v, c.value) for v in values) for c in (first, second)}
        if seen[first.value] >= 2 and seen[second.value] < 2:
            out.append(second)
        elif seen[second.value] >= 2 and seen[first.value] < 2:
            out.append(first)
    return out


def _items_add_up(candidate: Candidate, by_row: dict[int, list[float]]) -> bool:
    """The last amounts of two or more rows right above the candidate add up to it (items,
    or subtotal and tax): a sum the page itself shows."""
    running, count = 0.0, 0
    for index in range(candidate.row - 1, max(-1, candidate.row - 1 - ITEM_ROWS), -1):
        if index not in by_row:
            continue
        running += by_row[index][-1]
        count += 1
        if count >= 2 and _same(running, candidate.value):
            return True
        if running > candidate.value + CENT:
            return False
    return False


def _column(rows: list[Row], candidates: list[Candidate]) -> tuple[float, float] | None:
    """The right edge of the page's right-most column of figures and the slack around it,
    when word boxes are known."""
    edges = [c.right for c in candidates if c.right is not None]
    heights = [w.box[3] for row in rows for w in row.words]
    if len(edges) < 3 or not heights:
        return None
    letter = sorted(heights)[len(heights) // 2]
    edge = amount_column(edges, letter)
    return None if edge is None else (edge, 1.5 * letter)
