"""``helpdesk triage --text "…" [--image FILE …] [--category …] [--json]``: the bot's triage
outside a conversation, for designers checking their entries and agents checking a case.

Images go through ``helpdesk.media.analyze`` exactly as in a conversation; their fields and
OCR text join the customer's words. With ``--json`` it prints one object with ``category``,
``queue``, ``severity``, ``priority``, ``confidence``, ``fields`` (as ``helpdesk analyze``
gives them) and ``matches`` (``[{id, reason}]``, best first; the reason is the agent's).
Exit 0 with a result (a handoff is a result), 2 when an image cannot be read or the
knowledge base does not validate.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from helpdesk.conversation import USE_CASE_INTENTS
from helpdesk.kb import default_kb, load
from helpdesk.media import analyze
from helpdesk.triage import fix_message, next_fix, triage

PURPOSES = ("screenshot", "label", "receipt", "photo", "video")
# What the flow asks for in each use case, when --purpose is not given.
DEFAULT_PURPOSE = {
    "report_software_error": "screenshot",
    "report_payment_problem": "receipt",
    "report_appliance_fault": "label",
    "report_damaged_product": "label",
    "request_return": "label",
}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "triage",
        help="classify a case and show the matching knowledge entries with reasons",
        description="Category, queue, severity, priority and the matching knowledge entries "
        "for a customer's message and (optionally) pictures.",
    )
    parser.add_argument("--text", default="", help="what the customer wrote")
    parser.add_argument(
        "--image",
        action="append",
        default=[],
        metavar="FILE",
        help="a screenshot, label, receipt or photo (repeatable)",
    )
    parser.add_argument(
        "--purpose",
        choices=PURPOSES,
        default=None,
        help="what the images are (default: what the category's flow asks for)",
    )
    parser.add_argument(
        "--category",
        choices=USE_CASE_INTENTS,
        default=None,
        help="the flow the customer is in (default: worked out from words and fields)",
    )
    parser.add_argument("--language", choices=("en", "es"), default="en")
    parser.add_argument("--kb", default=None, metavar="PATH", help="another knowledge folder")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    if not args.text.strip() and not args.image:
        print("helpdesk triage: give --text, --image or both", file=sys.stderr)
        return 2
    purpose = args.purpose or DEFAULT_PURPOSE.get(args.category or "", "screenshot")
    fields: list[dict[str, Any]] = []
    texts: list[str] = []
    notes: list[str] = []
    for path in args.image:
        analysis = _analyze(path, purpose, args.language)
        if analysis is None:
            return 2
        fields.extend(analysis["fields"])
        if analysis.get("ocr") and analysis["ocr"].get("text"):
            texts.append(analysis["ocr"]["text"])
        for problem in analysis["problems"]:
            notes.append(f"{path}: {problem['severity']}: {problem['message']}")
    kb = load(args.kb) if args.kb else default_kb()
    result = triage(
        text=args.text,
        category_hint=args.category,
        fields=fields,
        ocr_text="\n".join(texts) or None,
        language=args.language,
        kb=kb,
        purpose=purpose,
    )
    if args.json:
        out = {
            "category": result.category,
            "queue": result.queue,
            "severity": result.severity,
            "priority": result.priority,
            "confidence": result.confidence,
            "fields": fields,
            "matches": [{"id": m.id, "reason": m.agent_reason()} for m in result.matches],
        }
        json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    print(_report(result, notes, args.language, kb))
    return 0


def _analyze(path: str, purpose: str, language: str) -> dict[str, Any] | None:
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        print(f"helpdesk triage: cannot read {path}: {error.strerror or error}", file=sys.stderr)
        return None
    return analyze(data, purpose=purpose, language=language).to_dict()


def _report(result: Any, notes: list[str], language: str, kb: Any) -> str:
    sources = {
        "hint": "from --category",
        "match": "from the matching entry",
        "words": "from the words and fields",
        "none": "nothing pointed to a use case",
    }
    lines = [
        f"category:   {result.category or '-'} ({sources.get(result.category_source, '')})",
        f"queue:      {result.queue}",
        f"severity:   {result.severity}",
        f"priority:   {result.priority}",
        f"confidence: {result.confidence:.2f}",
        "escalate:   " + (f"yes: {result.escalate.reason}" if result.escalate else "no"),
    ]
    lines += [f"note: {note}" for note in notes]
    for item in result.fields:
        lines.append(f"field: {item['type']} = {item['value']}")
    if not result.matches:
        lines.append("matches:    none")
    for number, match in enumerate(result.matches, start=1):
        lines.append(f"{number}. {match.id} ({match.score:.2f}): {match.entry.title.say(language)}")
        lines.append(f"   customer: {match.explain(language)}")
        lines.append(f"   agent:    {match.agent_reason()}")
    entry = next_fix(result, tried=[], kb=kb)
    if entry is None and result.escalate.code == "entry" and result.best:
        lines += [
            "",
            "advice sent while a person takes over:",
            fix_message(result.best.entry, language),
        ]
    elif entry is not None:
        lines += [
            "",
            f"first fix ({entry.id}):",
            fix_message(entry, language),
        ]
        if entry.fix.image:
            lines.append(f"(with the picture {kb.image_path(entry)})")
        lines += ["", f"then: {entry.follow_up.say(language)}"]
    return "\n".join(lines)
