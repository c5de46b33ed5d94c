"""The OCR result and the confidence gate that makes Tesseract's words into its text.

The text agents and summaries see holds only words Tesseract is sure of (or fairly sure of
inside a confidently read line); letter-like fragments read from texture (foliage, a street
scene) are dropped, not shown. A PDF's own text layer is given the same shape."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from helpdesk.media.ocr_language import detect_language
from helpdesk.media.tesseract import (
    GOOD_WORD_CONFIDENCE,
    Word,
)
from helpdesk.media.tesseract import mean_confidence as _mean_confidence

# Words under GOOD_WORD_CONFIDENCE are kept only inside lines read at GOOD_LINE_CONFIDENCE
# (length-weighted), never under KEEP_WORD_CONFIDENCE: what agents and summaries see is
# text, not the letters Tesseract finds in foliage.
KEEP_WORD_CONFIDENCE = 30
GOOD_LINE_CONFIDENCE = 70


@dataclass
class OcrResult:
    text: str
    confidence: float  # 0..1, mean of kept words weighted by length
    language: str | None  # "en", "es" or None when it cannot tell
    words: list[Word] = field(default_factory=list)
    rotation: int = 0  # degrees the picture was turned clockwise before reading
    source: str = "tesseract"  # or "pdf_text"

    def good_words(self) -> int:
        return sum(
            1
            for w in self.words
            if w.confidence >= GOOD_WORD_CONFIDENCE and sum(c.isalnum() for c in w.text) >= 2
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "text": self.text,
            "confidence": round(self.confidence, 3),
            "language": self.language,
        }


def _is_text(word: Word, line_confidence: float) -> bool:
    """Confidence gate: a word is shown when Tesseract is sure of it, or fairly sure
    inside a line it reads confidently (digits on a receipt often score 40-60 alone)."""
    if word.confidence >= GOOD_WORD_CONFIDENCE:
        return True
    return word.confidence >= KEEP_WORD_CONFIDENCE and line_confidence >= GOOD_LINE_CONFIDENCE


def _noise_line(words: list[Word]) -> bool:
    """Texture read as letters (foliage, brick, a street scene): a line of one- and
    two-letter fragments with no digit and no real word."""
    return (
        all(len(w.text) <= 2 for w in words)
        and not any(c.isdigit() for w in words for c in w.text)
        and len(words) >= 2
    )


def assemble(words: list[Word], rotation: int) -> OcrResult:
    """The gated words as text, a line per Tesseract line; each kept word's ``start`` and
    ``end`` are set to its place in the text."""
    lines: dict[int, list[Word]] = {}
    for word in words:
        lines.setdefault(word.line, []).append(word)
    kept: list[Word] = []
    for line in lines.values():
        confidence = _mean_confidence(line)
        shown = [w for w in line if _is_text(w, confidence)]
        if shown and not _noise_line(shown):
            kept.extend(shown)
    parts: list[str] = []
    position = 0
    previous_line = None
    for word in kept:
        if previous_line is not None:
            separator = " " if word.line == previous_line else "\n"
            parts.append(separator)
            position += 1
        word.start = position
        parts.append(word.text)
        position += len(word.text)
        word.end = position
        previous_line = word.line
    text = "".join(parts)
    weight = sum(len(w.text) for w in kept)
    confidence = sum(w.confidence * len(w.text) for w in kept) / weight / 100 if weight else 0.0
    return OcrResult(text, confidence, detect_language(text), kept, rotation)


def from_text_layer(text: str) -> OcrResult:
    """A PDF's own text, in the OCR result's shape (fully confident)."""
    text = re.sub(r"[ \t]+", " ", text.replace("\r\n", "\n").replace("\r", "\n")).strip()
    return OcrResult(text, 1.0, detect_language(text), [], 0, "pdf_text")
