"""The answer of a triage: what the case is, where it goes, and why.

``TriageResult.to_dict()`` is plain JSON (safe to keep in a Rasa slot between turns) and
``TriageResult.from_dict(data, kb=...)`` brings the entries back for the fix loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from helpdesk.kb import default_kb

if TYPE_CHECKING:
    from helpdesk.kb.loader import KnowledgeBase
    from helpdesk.kb.schema import Entry


@dataclass(frozen=True)
class Reason:
    """One piece of evidence: which rule of the entry matched what.

    ``rule`` is the KB rule (``error_codes``, ``customer_words``…), ``value`` what was seen,
    ``source`` ``media`` or ``text``; ``customer`` has the sentence in ``en`` and ``es``;
    ``agent`` is the precise English explanation for the ticket.
    """

    rule: str
    value: str
    source: str
    weight: float
    customer: dict[str, str]
    agent: str

    def say(self, language: str) -> str:
        return self.customer.get(language) or self.customer["en"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "value": self.value,
            "source": self.source,
            "weight": round(self.weight, 3),
            "customer": dict(self.customer),
            "agent": self.agent,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reason:
        return cls(
            data["rule"],
            data["value"],
            data["source"],
            data.get("weight", 0.0),
            dict(data["customer"]),
            data["agent"],
        )


@dataclass
class Match:
    entry: Entry
    score: float
    reasons: list[Reason] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.entry.id

    def explain(self, language: str) -> str:
        """The customer-facing explanation: "I can see error 0x80070005 on your screenshot"."""
        return ". ".join(reason.say(language) for reason in self.reasons) + "."

    def agent_reason(self) -> str:
        return "; ".join(reason.agent for reason in self.reasons)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "score": round(self.score, 3),
            "reasons": [reason.to_dict() for reason in self.reasons],
        }


@dataclass(frozen=True)
class Escalation:
    """Whether a person must take over now, and why (for the ticket).

    ``code``: ``entry`` (the entry says so: safety, fraud), ``no_match`` (no known fix),
    ``fixes_exhausted`` / ``failed_fixes`` (from the fix loop), or None.
    """

    needed: bool
    reason: str | None = None
    code: str | None = None

    def __bool__(self) -> bool:
        return self.needed

    def to_dict(self) -> dict[str, Any]:
        return {"needed": self.needed, "reason": self.reason, "code": self.code}


@dataclass
class TriageResult:
    category: str | None
    category_source: str
    queue: str
    severity: str
    priority: str
    confidence: float
    matches: list[Match]
    escalate: Escalation
    language: str = "en"
    fields: list[dict[str, Any]] = field(default_factory=list)
    category_scores: dict[str, float] = field(default_factory=dict)

    @property
    def best(self) -> Match | None:
        return self.matches[0] if self.matches else None

    def explain(self, language: str | None = None) -> str | None:
        """Why the bot thinks it knows the problem, for the customer (None without a match)."""
        best = self.best
        return best.explain(language or self.language) if best else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "category_source": self.category_source,
            "queue": self.queue,
            "severity": self.severity,
            "priority": self.priority,
            "confidence": round(self.confidence, 3),
            "matches": [match.to_dict() for match in self.matches],
            "escalate": self.escalate.to_dict(),
            "language": self.language,
            "fields": self.fields,
            "category_scores": {k: round(v, 3) for k, v in self.category_scores.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, kb: KnowledgeBase | None = None) -> TriageResult:
        """Rebuild a stored result; matches whose entry left the KB since are dropped."""
        if kb is None:
            kb = default_kb()
        matches = [
            Match(kb.entries[m["id"]], m["score"], [Reason.from_dict(r) for r in m["reasons"]])
            for m in data.get("matches", [])
            if m["id"] in kb.entries
        ]
        escalate = data.get("escalate") or {}
        return cls(
            category=data.get("category"),
            category_source=data.get("category_source", "stored"),
            queue=data["queue"],
            severity=data["severity"],
            priority=data["priority"],
            confidence=data.get("confidence", 0.0),
            matches=matches,
            escalate=Escalation(
                bool(escalate.get("needed")), escalate.get("reason"), escalate.get("code")
            ),
            language=data.get("language", "en"),
            fields=list(data.get("fields", [])),
            category_scores=dict(data.get("category_scores", {})),
        )
