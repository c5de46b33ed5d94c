"""Which language the customer writes in: English or Spanish.

Uses lingua (a well-kept detector that is accurate on short texts) restricted to the two
languages the product speaks. Chat messages are often one word ("ok", "no", "E21"), so the
decision weighs how much evidence a message gives against what is already known:

- a first message decides with modest confidence (something must be chosen);
- switching an established language needs a clear signal: two or more words with high
  confidence, or one long-enough word with very high confidence ("gracias", "thanks");
- button payloads (``/affirm``), numbers and codes never change the language;
- the commonest one-word chat openers and answers ("hello", "hola", "gracias") are listed
  explicitly, because a statistical detector cannot tell them apart reliably from a handful
  of letters (lingua rates "hello" as Spanish) and they are exactly how chats begin.
"""

from __future__ import annotations

import functools
import re

from helpdesk.conversation import SUPPORTED_LANGUAGES

_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)

FIRST_MESSAGE_CONFIDENCE = 0.6
SWITCH_CONFIDENCE = 0.85
SINGLE_WORD_SWITCH_CONFIDENCE = 0.95
SINGLE_WORD_MIN_LETTERS = 5
SHORT_MESSAGE_WORDS = 3

CHAT_WORDS = {
    "en": frozenset(
        "hello hi hey hiya thanks thank thx ty bye goodbye yes yeah yep yup nope please pls "
        "help morning afternoon evening good great cheers sorry".split()
    ),
    "es": frozenset(
        "hola buenas buenos buen gracias adios adiós chao chau hasta luego sí si claro vale "
        "dale ayuda porfa favor días dias tardes noches perdón perdon genial muchas".split()
    ),
}


@functools.lru_cache(maxsize=1)
def _detector():  # type: ignore[no-untyped-def]
    from lingua import Language, LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(Language.ENGLISH, Language.SPANISH).build()


def _scores(text: str) -> dict[str, float]:
    from lingua import Language

    codes = {Language.ENGLISH: "en", Language.SPANISH: "es"}
    return {
        codes[value.language]: value.value
        for value in _detector().compute_language_confidence_values(text)
    }


def detect_language(text: str | None, *, current: str | None = None) -> str | None:
    """The customer's language after this message, or ``current`` if it gives no evidence.

    Returns ``None`` only when nothing is known yet and the message says nothing.
    """
    if current not in SUPPORTED_LANGUAGES:
        current = None
    if not text or text.lstrip().startswith("/"):
        return current
    words = _WORD.findall(text)
    if not words:
        return current
    if len(words) <= SHORT_MESSAGE_WORDS:
        by_lexicon = _chat_word_vote(words)
        if by_lexicon is not None:
            if current is None or by_lexicon == current:
                return by_lexicon
            if any(len(w) >= 4 and w.lower() in CHAT_WORDS[by_lexicon] for w in words):
                return by_lexicon
            return current
    scores = _scores(" ".join(words))
    best = max(scores, key=scores.__getitem__)
    confidence = scores[best]
    if best == current:
        return current
    if current is None:
        return best if confidence >= FIRST_MESSAGE_CONFIDENCE else None
    if len(words) >= 2 and confidence >= SWITCH_CONFIDENCE:
        return best
    if (
        len(words) == 1
        and len(words[0]) >= SINGLE_WORD_MIN_LETTERS
        and confidence >= SINGLE_WORD_SWITCH_CONFIDENCE
    ):
        return best
    return current


def turn_language(
    text: str | None, *, caption: str | None = None, current: str | None, default: str
) -> str:
    """The language to answer this turn in: a photo's caption is what the customer wrote
    with it; a message that says nothing keeps the current language, or the default one."""
    if current not in SUPPORTED_LANGUAGES:
        current = None
    return detect_language(caption or text, current=current) or current or default


def _chat_word_vote(words: list[str]) -> str | None:
    counts = {
        language: sum(word.lower() in vocabulary for word in words)
        for language, vocabulary in CHAT_WORDS.items()
    }
    best = max(counts, key=counts.__getitem__)
    others = [count for language, count in counts.items() if language != best]
    return best if counts[best] > max(others) else None
