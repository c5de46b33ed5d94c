"""Scoring knowledge entries against the evidence, with a reason for every point.

Each rule that matches adds evidence with a weight; an entry's score is the noisy-or of its
weights, ``1 - Π(1 - w)``, so two independent signals beat one and the score stays in 0–1:

============================  ======  ==============================================
rule                          weight  why
============================  ======  ==============================================
error code read in a picture  0.95    the screen says exactly what is wrong
error code the customer typed 0.85    as good, but typed from memory
text pattern on the picture   0.60    an error sentence, less specific than a code
text pattern in the message   0.50
customer words                0.50    +0.05 a word for a phrase of 2-3 words (the
                                      longer, the more specific), +0.10 for each
                                      further phrase (up to 0.75)
model number / family         0.35    narrows down which machine, not what is wrong
barcode prefix                0.30
payment status                0.30    "failed" or "pending" says little on its own
============================  ======  ==============================================

An entry made only of narrowing rules ("the payment is pending") is defined by them, so
there they weigh twice as much (up to 0.7).

Error codes, text patterns and customer words say *what* is wrong; when an entry has any of
them, one must match. The others only narrow an entry down: an entry made only of them
needs all of them to match, and a model or payment status that contradicts the entry halves
its score. Customer words are skipped when negated in the same clause ("no smoke").
"""

from __future__ import annotations

import dataclasses
import fnmatch
import re
import weakref
from dataclasses import dataclass, field

from helpdesk.kb.loader import KnowledgeBase
from helpdesk.kb.schema import Entry
from helpdesk.kb.text import fold, normalize_code, normalize_model
from helpdesk.triage import phrases
from helpdesk.triage.evidence import Evidence, model_tokens
from helpdesk.triage.result import Match, Reason

WEIGHTS = {
    "error_code:media": 0.95,
    "error_code:text": 0.85,
    "text_pattern:media": 0.60,
    "text_pattern:text": 0.50,
    "customer_words": 0.50,
    "customer_words_per_word": 0.05,
    "customer_words_extra": 0.10,
    "customer_words_max": 0.75,
    "model": 0.35,
    "barcode": 0.30,
    "payment_status": 0.30,
    "narrowing_only_factor": 2.0,
    "narrowing_only_max": 0.70,
}
CONTRADICTION = 0.5
NEGATIONS = frozenset("no not never without sin nunca ni tampoco don't doesn't isn't".split())


@dataclass
class CompiledEntry:
    entry: Entry
    codes: dict[str, str] = field(default_factory=dict)  # normalized -> as written in the KB
    patterns: list[re.Pattern[str]] = field(default_factory=list)
    words: list[tuple[str, re.Pattern[str]]] = field(default_factory=list)
    models: list[str] = field(default_factory=list)
    families: list[str] = field(default_factory=list)


@dataclass
class CompiledKb:
    kb: KnowledgeBase
    entries: list[CompiledEntry]
    known_codes: frozenset[str]
    category_words: dict[str, list[tuple[str, re.Pattern[str]]]]


_COMPILED: weakref.WeakKeyDictionary[KnowledgeBase, CompiledKb] = weakref.WeakKeyDictionary()


def compiled(kb: KnowledgeBase) -> CompiledKb:
    """The KB's rules as regular expressions, built once per loaded KB."""
    found = _COMPILED.get(kb)
    if found is None:
        entries = [_compile(entry) for entry in kb]
        codes = frozenset(code for item in entries for code in item.codes)
        words = {
            name: [(word, phrase_pattern(word)) for word in info.words]
            for name, info in kb.categories.items()
        }
        found = _COMPILED[kb] = CompiledKb(kb, entries, codes, words)
    return found


def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """A customer-words phrase as a regex on folded text: whole words, any spacing, an
    optional apostrophe ("cant" = "can't"), and ``*`` for any word ending."""
    parts = []
    for word in fold(phrase).replace("’", "'").split():
        text = re.escape(word.rstrip("*")).replace("'", "'?")
        parts.append(text + (r"\w*" if word.endswith("*") else ""))
    return re.compile(r"(?<!\w)" + r"\s+".join(parts) + r"(?!\w)")


def _compile(entry: Entry) -> CompiledEntry:
    rules = entry.match
    return CompiledEntry(
        entry=entry,
        codes={normalize_code(code): code for code in rules.error_codes},
        patterns=[re.compile(p, re.IGNORECASE) for p in rules.text_patterns],
        words=[(w, phrase_pattern(w)) for w in rules.customer_words],
        models=[normalize_model(m) for m in rules.model_numbers],
        families=[
            normalize_model(f.replace("*", "\0").replace("?", "\1"))
            .replace("\0", "*")
            .replace("\1", "?")
            for f in rules.model_families
        ],
    )


def negated(folded: str, start: int) -> bool:
    """A negation among the three words before ``start``, in the same clause."""
    clause = re.split(r"[.,;:!?\n]", folded[:start])[-1]
    return bool(set(clause.split()[-3:]) & NEGATIONS)


def find_words(folded: str, pattern: re.Pattern[str]) -> re.Match[str] | None:
    for found in pattern.finditer(folded):
        if not negated(folded, found.start()):
            return found
    return None


def score(item: CompiledEntry, evidence: Evidence, language: str) -> Match | None:
    """The entry's match with its reasons, or None when it does not apply."""
    reasons: list[Reason] = []
    problem = _codes(item, evidence, reasons)
    problem |= _patterns(item, evidence, reasons)
    problem |= _words(item, evidence, reasons)
    if item.entry.match.problem_rules() and not problem:
        return None
    factor = 1.0
    for check in (_models, _barcodes, _statuses):
        listed, hit, contradicted = check(item, evidence, reasons)
        if listed and not hit and not item.entry.match.problem_rules():
            return None  # an entry of narrowing rules only needs all of them
        if contradicted:
            factor *= CONTRADICTION
    if not reasons:
        return None
    if not item.entry.match.problem_rules():
        reasons = [
            dataclasses.replace(
                reason,
                weight=min(
                    WEIGHTS["narrowing_only_max"], reason.weight * WEIGHTS["narrowing_only_factor"]
                ),
            )
            for reason in reasons
        ]
    miss = 1.0
    for reason in reasons:
        miss *= 1.0 - reason.weight
    return Match(item.entry, (1.0 - miss) * factor, reasons)


def _reason(
    rule: str, kind: str, source: str, value: str, weight: float, agent: str, purpose: str | None
) -> Reason:
    customer = {
        language: phrases.say(kind, source, value, language=language, purpose=purpose)
        for language in ("en", "es")
    }
    return Reason(rule, value, source, weight, customer, agent)


def _codes(item: CompiledEntry, evidence: Evidence, reasons: list[Reason]) -> bool:
    hit = False
    for normalized, written in item.codes.items():
        code = evidence.code(normalized)
        if code is None:
            continue
        weight = WEIGHTS[f"error_code:{code.source}"] * (0.7 + 0.3 * min(1.0, code.confidence))
        where = (
            f"read on the {evidence.purpose or 'media'}"
            if code.source == "media"
            else ("in the customer's message")
        )
        agent = f"error code {code.raw} {where} matches error_codes '{written}'"
        reasons.append(
            _reason(
                # The KB's spelling for the customer: OCR may read 0x80070005 as Ox80070005.
                "error_codes",
                "error_code",
                code.source,
                written,
                weight,
                agent,
                evidence.purpose,
            )
        )
        hit = True
        break  # several spellings of one code are one piece of evidence
    return hit


def _patterns(item: CompiledEntry, evidence: Evidence, reasons: list[Reason]) -> bool:
    for source, body in (("media", evidence.ocr_text), ("text", evidence.text)):
        for pattern in item.patterns:
            found = pattern.search(body) if body else None
            if found and found.group(0).strip():
                value = " ".join(found.group(0).split())
                where = "the picture's text" if source == "media" else "the customer's message"
                agent = f"{where} “{value}” matches text_patterns '{pattern.pattern}'"
                reasons.append(
                    _reason(
                        "text_patterns",
                        "text_pattern",
                        source,
                        value,
                        WEIGHTS[f"text_pattern:{source}"],
                        agent,
                        evidence.purpose,
                    )
                )
                return True
    return False


def _words(item: CompiledEntry, evidence: Evidence, reasons: list[Reason]) -> bool:
    found, spans = [], []
    for phrase, pattern in item.words:
        hit = find_words(evidence.folded_text, pattern)
        # Overlapping phrases ("want to return" and "return it") are one piece of evidence.
        if hit and all(hit.end() <= a or hit.start() >= b for a, b in spans):
            spans.append(hit.span())
            found.append((phrase, _original(evidence.text, evidence.folded_text, hit)))
    if not found:
        return False
    longest = max(len(phrase.split()) for phrase, _ in found)
    weight = min(
        WEIGHTS["customer_words_max"],
        WEIGHTS["customer_words"]
        + WEIGHTS["customer_words_per_word"] * (min(longest, 3) - 1)
        + WEIGHTS["customer_words_extra"] * (len(found) - 1),
    )
    said = ", ".join(f"“{text}”" for _, text in found)
    rules = ", ".join(f"'{phrase}'" for phrase, _ in found)
    agent = f"the customer wrote {said} (customer_words {rules})"
    reasons.append(
        _reason(
            "customer_words", "customer_words", "text", found[0][1], weight, agent, evidence.purpose
        )
    )
    return True


def _original(text: str, folded: str, hit: re.Match[str]) -> str:
    """The customer's own spelling of a phrase found in the folded text (folding keeps the
    length for Latin text; when it does not, the folded words are shown)."""
    if len(text) == len(folded):
        return text[hit.start() : hit.end()]
    return hit.group(0)


def _models(item: CompiledEntry, evidence: Evidence, reasons: list[Reason]):
    if not item.models and not item.families:
        return False, False, False
    seen = list(evidence.models) + [
        (normalize_model(t), t, "text") for t in model_tokens(evidence.text)
    ]
    for normalized, raw, source in seen:
        rule = next((m for m in item.models if normalized == m), None) or next(
            (
                f
                for f in item.families
                if fnmatch.fnmatchcase(normalized, f if any(c in f for c in "*?") else f + "*")
            ),
            None,
        )
        if rule:
            agent = f"model {raw} ({source}) matches '{rule}'"
            reasons.append(
                _reason(
                    "model_numbers", "model", source, raw, WEIGHTS["model"], agent, evidence.purpose
                )
            )
            return True, True, False
    return True, False, bool(evidence.models)


def _barcodes(item: CompiledEntry, evidence: Evidence, reasons: list[Reason]):
    prefixes = item.entry.match.barcode_prefixes
    if not prefixes:
        return False, False, False
    for value in evidence.barcodes:
        prefix = next((p for p in prefixes if value.upper().startswith(p.upper())), None)
        if prefix:
            agent = f"barcode {value} starts with barcode_prefixes '{prefix}'"
            reasons.append(
                _reason(
                    "barcode_prefixes",
                    "barcode",
                    "media",
                    value,
                    WEIGHTS["barcode"],
                    agent,
                    evidence.purpose,
                )
            )
            return True, True, False
    return True, False, bool(evidence.barcodes)


def _statuses(item: CompiledEntry, evidence: Evidence, reasons: list[Reason]):
    wanted = item.entry.match.payment_status
    if not wanted:
        return False, False, False
    for status in wanted:
        source = evidence.statuses.get(status)
        if source:
            where = "picture" if source == "media" else "message"
            agent = f"payment status '{status}' ({where}) matches payment_status"
            reasons.append(
                _reason(
                    "payment_status",
                    "payment_status",
                    source,
                    status,
                    WEIGHTS["payment_status"],
                    agent,
                    evidence.purpose,
                )
            )
            return True, True, False
    return True, False, bool(evidence.statuses)
