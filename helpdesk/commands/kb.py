"""``helpdesk kb check [PATH]``: validate the knowledge base as the bot will load it.

Prints a summary (entries per category, files) or every problem with its file, line and
entry, and exits 1 when there are problems, so ``make test`` can run it as a step.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from helpdesk.kb import check
from helpdesk.settings import PROJECT_ROOT, get_settings
from helpdesk.whatsapp import templates


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "kb",
        help="check the knowledge base (known issues and fixes in knowledge/*.yml)",
        description="Work with the knowledge base that designers edit.",
    )
    actions = parser.add_subparsers(dest="kb_command", metavar="ACTION")
    actions.required = True
    check = actions.add_parser(
        "check",
        help="validate the knowledge base; exit 1 on problems",
        description="Validate every entry (schema, regexes, images, duplicate ids) and print "
        "a summary, or each problem with its file, line and entry.",
    )
    check.add_argument(
        "path",
        nargs="?",
        default=None,
        help="a knowledge folder or one file (default: HELPDESK_KNOWLEDGE_DIR, knowledge/)",
    )
    check.set_defaults(func=_check)


def _check(args: argparse.Namespace) -> int:
    path = Path(args.path) if args.path else Path(get_settings().knowledge_dir)
    if not args.path and not path.is_absolute():
        path = PROJECT_ROOT / path
    kb, problems = check(path)
    # The approved WhatsApp templates live beside the knowledge base (the console's file).
    listed = path / templates.CATALOGUE_PATH.name if path.is_dir() else path
    catalogue_problems = (
        templates.problems(listed) if listed.name == templates.CATALOGUE_PATH.name else []
    )
    for problem in catalogue_problems:
        print(f"{listed}: {problem}")
    if catalogue_problems:
        print(
            f"\n{len(catalogue_problems)} problem(s) in {listed.name}; the console does not "
            "offer those templates until they are fixed."
        )
    if problems:
        for problem in problems:
            print(problem)
        print(
            f"\n{len(problems)} problem(s) in {path}; the bot will not load the knowledge "
            "base until they are fixed."
        )
        return 1
    if catalogue_problems:
        return 1
    counts = Counter(entry.category for entry in kb)
    files = len({source for source, _ in kb.sources.values()})
    print(f"{path}: {len(kb)} entries in {files} file(s), {len(kb.categories)} categories: OK")
    for name, count in sorted(counts.items()):
        print(f"  {name}: {count}")
    always = sum(1 for entry in kb if entry.escalate.always)
    print(f"  entries that hand off at once (safety, fraud): {always}")
    if listed.name == templates.CATALOGUE_PATH.name and listed.exists():
        print(f"  approved WhatsApp templates: {len(templates.catalogue(listed))} OK")
    for skipped in kb.skipped:
        print(f"  skipped {skipped} (not a knowledge file: no 'entries' or 'categories')")
    return 0
