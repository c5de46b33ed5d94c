"""What a case offers to match against: the customer's words, the OCR text and the fields.

Error codes, payment status and the like are read from the customer's own message with the
same extractor that reads screenshots (``helpdesk.media.fields.extract_fields``), so "it
says error 0x80070005" and a screenshot of it lead to the same entry.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from helpdesk.kb.text import code_is_ambiguous, fold, normalize_code, normalize_model
from helpdesk.media.fields import extract_fields

_TOKEN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_]|::|[-.](?=[A-Za-z0-9]))*")
# Words that make a short code ("05", "UE", "500") count as a code in free text.
CODE_CONTEXT = frozenset(
    "code codes error err fault display displays shows showing screen says reads flashing "
    "reason response declined decline status codigo fallo falla pantalla muestra marca "
    "indica pone sale aparece dice parpadea motivo respuesta rechazado rechazada rechazo "
    "http".split()
)
# A picture whose text is this short is a display or a sticker: its codes need no context.
DISPLAY_WORDS = 3


@dataclass(frozen=True)
class Code:
    normalized: str
    raw: str
    source: str  # "media" or "text"
    confidence: float


@dataclass
class Evidence:
    text: str
    ocr_text: str
    purpose: str | None
    folded_text: str = ""
    folded_ocr: str = ""
    codes: list[Code] = field(default_factory=list)
    models: list[tuple[str, str, str]] = field(default_factory=list)  # normalized, raw, source
    barcodes: list[str] = field(default_factory=list)
    statuses: dict[str, str] = field(default_factory=dict)  # status -> source
    field_types: set[str] = field(default_factory=set)
    text_fields: list[dict[str, Any]] = field(default_factory=list)

    def code(self, normalized: str) -> Code | None:
        found = [c for c in self.codes if c.normalized == normalized]
        return max(found, key=lambda c: (c.source == "media", c.confidence)) if found else None


def gather(
    *,
    text: str,
    fields: Sequence[dict[str, Any]],
    ocr_text: str | None,
    purpose: str | None,
    known_codes: Iterable[str],
) -> Evidence:
    """Collect the evidence; ``known_codes`` are the KB's normalised codes, looked for in
    both texts too (a code the field extractor did not flag, such as "UE" or "code 51")."""
    evidence = Evidence(text=text or "", ocr_text=ocr_text or "", purpose=purpose)
    evidence.folded_text = fold(evidence.text).replace("’", "'")
    evidence.folded_ocr = fold(evidence.ocr_text).replace("’", "'")
    text_fields = [f.to_dict() for f in extract_fields(evidence.text, source="message")]
    evidence.text_fields = text_fields
    for source, items in (("media", fields), ("text", text_fields)):
        for item in items:
            _add_field(evidence, item, source)
    known = set(known_codes)
    display = len(_TOKEN.findall(evidence.ocr_text)) <= DISPLAY_WORDS
    for source, body, free in (
        ("text", evidence.text, False),
        ("media", evidence.ocr_text, display),
    ):
        for normalized, raw in _codes_in(body, known, free=free):
            if evidence.code(normalized) is None or source == "media":
                evidence.codes.append(Code(normalized, raw, source, 0.8))
    return evidence


def _add_field(evidence: Evidence, item: dict[str, Any], source: str) -> None:
    kind, value = item.get("type"), str(item.get("value", ""))
    if not kind or not value:
        return
    evidence.field_types.add(kind)
    confidence = float(item.get("confidence", 1.0))
    if kind == "error_code":
        evidence.codes.append(Code(normalize_code(value), value, source, confidence))
    elif kind == "model_number":
        evidence.models.append((normalize_model(value), value, source))
    elif kind == "barcode":
        evidence.barcodes.append(value)
    elif kind == "payment_status" and evidence.statuses.get(value) != "media":
        # A status read from the picture outranks one guessed from the words.
        evidence.statuses[value] = source


def _codes_in(body: str, known: set[str], *, free: bool) -> Iterable[tuple[str, str]]:
    """KB codes written in ``body``, alone or as two tokens ("HTTP 500", "E 21")."""
    tokens = list(_TOKEN.finditer(body))
    for index, token in enumerate(tokens):
        candidates = [token.group(0)]
        if index + 1 < len(tokens) and tokens[index + 1].start() - token.end() <= 2:
            candidates.append(token.group(0) + " " + tokens[index + 1].group(0))
        for raw in candidates:
            normalized = normalize_code(raw)
            if normalized not in known:
                continue
            if code_is_ambiguous(normalized) and not free:
                # "code 51", "shows UE", "503 error": a context word just before or after.
                near = tokens[max(0, index - 3) : index] + tokens[index + 1 : index + 2]
                if not {fold(t.group(0)) for t in near} & CODE_CONTEXT:
                    continue
            yield normalized, raw


def model_tokens(text: str) -> list[str]:
    """Tokens of the customer's message that look like model numbers (letters and digits)."""
    return [
        t.group(0)
        for t in _TOKEN.finditer(text)
        if len(t.group(0)) >= 5
        and re.search(r"\d", t.group(0))
        and re.search(r"[A-Za-z]", t.group(0))
    ]
