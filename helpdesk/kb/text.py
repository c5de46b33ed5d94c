"""Normalising what customers type and what OCR reads, so that one KB rule matches every
way of writing the same thing.

Hand-written on purpose: the rules are a few lines each and specific to support codes
(``0x80070005`` = ``0X80070005`` = ``80070005``, ``E-21`` = ``E21``, ``NET::ERR_X`` =
``ERR_X``); accent folding uses the standard library's Unicode decomposition.
"""

from __future__ import annotations

import re
import unicodedata

_CODE_JUNK = re.compile(r"[\s\-_.:#/]+")
_HEX32 = re.compile(r"^[0O]X([0-9A-F]{8})$")
_PLAIN_HEX32 = re.compile(r"^[0-9A-F]{8}$")


def fold(text: str) -> str:
    """Lower case without accents: ``Código`` → ``codigo``, ``PANTALLA`` → ``pantalla``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalize_code(code: str) -> str:
    """One spelling per error code, for comparison only (never shown).

    Upper case; no spaces, dashes, dots, colons or underscores; ``NET::`` dropped; a 32-bit
    hex code loses its ``0x`` (and OCR's ``Ox``) so the bare 8 digits match too.
    """
    text = code.strip().upper()
    if text.startswith("NET::"):
        text = text[5:]
    hexed = _HEX32.match(_CODE_JUNK.sub("", text))
    if hexed:
        return hexed.group(1)
    return _CODE_JUNK.sub("", text)


def is_hex32(normalized: str) -> bool:
    return bool(_PLAIN_HEX32.match(normalized)) and any(c.isdigit() for c in normalized)


def code_is_ambiguous(normalized: str) -> bool:
    """Codes that also read as ordinary words or numbers ("05", "51", "UE", "4C", "500"):
    found in free text only next to a word such as "code" or "error" (see triage)."""
    return len(normalized) <= 2 or (normalized.isdigit() and len(normalized) <= 4)


def normalize_model(model: str) -> str:
    """``WW90-T534 DAW`` → ``WW90T534DAW`` (labels and customers space models freely)."""
    return re.sub(r"[\s\-_./]+", "", model.strip().upper())
