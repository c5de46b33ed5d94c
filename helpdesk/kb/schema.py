"""The shape of a knowledge entry, checked with pydantic (v1, the version Rasa pins).

Every model forbids unknown keys, so a typo such as ``severty:`` is an error rather than a
silently ignored line; text fields are strict strings, so an unquoted ``05`` (YAML reads an
octal number) or ``0x80070005`` (a hex number) is caught and the message says to quote it.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import (
    BaseModel,
    Extra,
    Field,
    StrictBool,
    StrictStr,
    conint,
    root_validator,
    validator,
)

from helpdesk.conversation import USE_CASE_INTENTS

SEVERITIES = ("low", "medium", "high", "critical")
PAYMENT_STATUSES = ("failed", "pending", "refunded", "successful")
LANGUAGES = ("en", "es")
MATCH_RULES = (
    "error_codes",
    "text_patterns",
    "customer_words",
    "model_numbers",
    "model_families",
    "barcode_prefixes",
    "payment_status",
)
# Rules that say what is wrong; the others only narrow an entry down (see triage.rules).
PROBLEM_RULES = ("error_codes", "text_patterns", "customer_words")

Category = Literal[USE_CASE_INTENTS]  # type: ignore[valid-type]
Severity = Literal[SEVERITIES]  # type: ignore[valid-type]
PaymentStatus = Literal[PAYMENT_STATUSES]  # type: ignore[valid-type]
Text = StrictStr
Name = Field(..., regex=r"^[a-z0-9][a-z0-9_\-]*$")


class Strict(BaseModel):
    class Config:
        extra = Extra.forbid
        anystr_strip_whitespace = True
        allow_mutation = False


class Bilingual(Strict):
    en: Text = Field(..., min_length=1)
    es: Text = Field(..., min_length=1)

    def say(self, language: str) -> str:
        return self.es if language == "es" else self.en


class Fix(Strict):
    """Steps in both languages (the same number of steps, so translations stay in step) and
    an optional picture, a path relative to the knowledge folder."""

    en: list[Text] = Field(..., min_items=1)
    es: list[Text] = Field(..., min_items=1)
    image: Text | None = None

    @validator("es")
    def _same_steps(cls, es: list[str], values: dict) -> list[str]:  # noqa: N805
        en = values.get("en")
        if en is not None and len(en) != len(es):
            raise ValueError(
                f"'es' has {len(es)} step(s) but 'en' has {len(en)}: translate every step"
            )
        return es

    def steps(self, language: str) -> list[str]:
        return list(self.es if language == "es" else self.en)


class MatchRules(Strict):
    error_codes: list[Text] = []
    text_patterns: list[Text] = []
    customer_words: list[Text] = []
    model_numbers: list[Text] = []
    model_families: list[Text] = []
    barcode_prefixes: list[Text] = []
    payment_status: list[PaymentStatus] = []

    @validator("text_patterns", each_item=True)
    def _compiles(cls, pattern: str) -> str:  # noqa: N805
        try:
            re.compile(pattern)
        except re.error as error:
            raise ValueError(
                f"the regular expression {pattern!r} does not compile: {error}"
            ) from None
        return pattern

    @validator("barcode_prefixes", each_item=True)
    def _digits(cls, prefix: str) -> str:  # noqa: N805
        if not prefix.isalnum():
            raise ValueError(f"barcode prefix {prefix!r} must be letters or digits only")
        return prefix

    @root_validator(skip_on_failure=True)
    def _something(cls, values: dict) -> dict:  # noqa: N805
        if not any(values.get(rule) for rule in MATCH_RULES):
            raise ValueError("give at least one rule: " + ", ".join(MATCH_RULES))
        return values

    def problem_rules(self) -> bool:
        return any(getattr(self, rule) for rule in PROBLEM_RULES)


class Escalate(Strict):
    """``always``: a person takes over at once (safety, fraud); ``after_failed_fixes``: hand
    off after that many fixes did not help; ``reason`` is for the agent's ticket."""

    always: StrictBool = False
    after_failed_fixes: conint(strict=True, ge=1) | None = None  # type: ignore[valid-type]
    reason: Text | None = None

    @validator("reason", always=True)
    def _reason_when_always(cls, reason: str | None, values: dict) -> str | None:  # noqa: N805
        if values.get("always") and not reason:
            raise ValueError("'always: true' needs a 'reason' for the agent")
        return reason


class Entry(Strict):
    id: Text = Name
    category: Category
    title: Bilingual
    notes: Text | None = None
    match: MatchRules
    severity: Severity
    queue: Text = Name
    fix: Fix
    follow_up: Bilingual
    escalate: Escalate = Escalate()
    then_try: list[Text] = []


class CategoryInfo(Strict):
    """Defaults for a use case when no entry matches, and the words that point to it."""

    title: Bilingual
    queue: Text = Name
    severity: Severity
    words: list[Text] = Field(..., min_items=1)
    field_types: list[Text] = []
