"""Loading and validating ``knowledge/*.yml``: every problem names file, line and entry.

A knowledge file is a mapping with ``entries:`` (a list of known issues) and/or
``categories:`` (the defaults of each use case). Other YAML files in the folder (such as the
console's canned responses) are skipped and listed in ``KnowledgeBase.skipped``, unless a
top-level key looks like a typo of ours. Loading collects *all* problems before
failing, so a designer fixes a file in one pass; ``helpdesk kb check`` prints them.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from helpdesk.conversation import USE_CASE_INTENTS
from helpdesk.errors import KnowledgeBaseError
from helpdesk.kb import yamlfile
from helpdesk.kb.schema import CategoryInfo, Entry
from helpdesk.settings import PROJECT_ROOT, get_settings

TOP_LEVEL_KEYS = ("entries", "categories")


@dataclass(frozen=True)
class KbProblem:
    """One thing wrong in the knowledge base, located for the person who must fix it."""

    file: str
    line: int | None
    message: str
    entry: str | None = None
    where: str | None = None

    def __str__(self) -> str:
        place = f"{self.file}:{self.line}" if self.line else self.file
        parts = [place]
        if self.entry:
            parts.append(f"entry '{self.entry}'")
        if self.where:
            parts.append(self.where)
        return ": ".join(parts) + ": " + self.message


@dataclass(eq=False)  # compared and hashed by identity: triage caches compiled rules per KB
class KnowledgeBase:
    """Validated entries (in file order) and the five categories' defaults."""

    root: Path
    entries: dict[str, Entry] = field(default_factory=dict)
    categories: dict[str, CategoryInfo] = field(default_factory=dict)
    sources: dict[str, tuple[str, int]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries.values())

    def __len__(self) -> int:
        return len(self.entries)

    def entry(self, entry_id: str) -> Entry:
        return self.entries[entry_id]

    def image_path(self, entry: Entry) -> Path | None:
        """The fix picture as an absolute path (checked at load to exist inside the
        knowledge folder), or None; never a file outside it."""
        return confined_image(self.root, entry.fix.image) if entry.fix.image else None


def confined_image(root: Path, image: str) -> Path | None:
    """``root / image`` resolved (symlinks followed) if it is a file inside ``root``.

    A fix picture is uploaded to customers: ``../var/media-key``, an absolute path or a
    symlink that leads out of the knowledge folder must never be read.
    """
    base = root.resolve()
    target = (base / image).resolve()
    if not target.is_relative_to(base) or not target.is_file():
        return None
    return target


def check(path: str | Path) -> tuple[KnowledgeBase, list[KbProblem]]:
    """Validate a knowledge folder (or one file) and return what loaded plus every problem.

    A folder must define each of the five categories once; a single file is checked on its
    own (category completeness and ``then_try`` targets elsewhere are not required).
    """
    path = Path(path)
    whole = path.is_dir()
    root = path if whole else path.parent
    kb = KnowledgeBase(root=root.resolve())
    problems: list[KbProblem] = []
    if not path.exists():
        return kb, [KbProblem(str(path), None, "no such file or folder")]
    files = sorted(p for p in path.rglob("*") if p.suffix in (".yml", ".yaml")) if whole else [path]
    if whole and not files:
        problems.append(KbProblem(str(path), None, "no .yml files in this folder"))
    then_try: list[tuple[str, str, int, Entry]] = []
    for file in files:
        shown = _shown(file)
        document = _read(file, shown, problems)
        if document is None:
            continue
        if _foreign(document):
            kb.skipped.append(shown)
            continue
        for key in document:
            if key not in TOP_LEVEL_KEYS:
                problems.append(_unknown(shown, document.key_lines[key], None, key, TOP_LEVEL_KEYS))
        _load_categories(document, shown, kb, problems)
        for entry, line in _load_entries(document, shown, kb, problems):
            then_try.append((shown, entry.id, line, entry))
    for shown, entry_id, line, entry in then_try:
        for target in entry.then_try:
            if target not in kb.entries and whole:
                problems.append(
                    KbProblem(
                        shown,
                        line,
                        f"then_try names '{target}', which no entry has as id",
                        entry_id,
                        "then_try",
                    )
                )
    if whole:
        for name in USE_CASE_INTENTS:
            if name not in kb.categories:
                problems.append(
                    KbProblem(
                        str(path),
                        None,
                        f"category '{name}' is not defined under "
                        "'categories:' in any file (queue, severity and words)",
                    )
                )
    return kb, problems


def load(path: str | Path | None = None) -> KnowledgeBase:
    """The validated knowledge base; raises ``KnowledgeBaseError`` listing every problem."""
    if path is None:
        path = Path(get_settings().knowledge_dir)
        if not path.is_absolute():
            path = PROJECT_ROOT / path
    kb, problems = check(path)
    if problems:
        listing = "\n".join(f"  {p}" for p in problems)
        raise KnowledgeBaseError(
            f"the knowledge base in {path} has {len(problems)} problem(s):\n{listing}",
            problems=problems,
        )
    return kb


# --- parts -----------------------------------------------------------------------------


def _foreign(document: yamlfile.LineDict) -> bool:
    """A YAML file in the folder that belongs to something else (the console's canned
    responses): none of its top-level keys is, or looks like a typo of, ours."""
    return not any(
        key in TOP_LEVEL_KEYS or difflib.get_close_matches(str(key), TOP_LEVEL_KEYS, n=1)
        for key in document
    )


def _shown(file: Path) -> str:
    """The file as a designer knows it: relative to the working directory when possible."""
    try:
        return str(file.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(file)


def _read(file: Path, shown: str, problems: list[KbProblem]) -> yamlfile.LineDict | None:
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        problems.append(KbProblem(shown, None, f"cannot read the file: {error}"))
        return None
    try:
        document = yamlfile.load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        what = getattr(error, "problem", None) or str(error)
        context = getattr(error, "context", None)
        message = f"not valid YAML: {what}" + (f" ({context})" if context else "")
        problems.append(KbProblem(shown, line, message))
        return None
    if document is None:
        problems.append(KbProblem(shown, None, "the file is empty"))
        return None
    if not isinstance(document, yamlfile.LineDict):
        problems.append(
            KbProblem(shown, 1, "the file must be a mapping with 'entries:' and/or 'categories:'")
        )
        return None
    return document


def _load_categories(
    document: yamlfile.LineDict, shown: str, kb: KnowledgeBase, problems: list[KbProblem]
) -> None:
    categories = document.get("categories")
    if categories is None:
        return
    if not isinstance(categories, yamlfile.LineDict):
        problems.append(
            KbProblem(
                shown,
                document.key_lines["categories"],
                "'categories' must map each use case to its defaults",
            )
        )
        return
    for name, body in categories.items():
        line = categories.key_lines[name]
        if name not in USE_CASE_INTENTS:
            problems.append(_unknown(shown, line, None, name, USE_CASE_INTENTS, what="category"))
            continue
        if name in kb.categories:
            problems.append(KbProblem(shown, line, f"category '{name}' is defined twice"))
            continue
        info = _validate(CategoryInfo, body, shown, line, f"category '{name}'", problems)
        if info is not None:
            kb.categories[name] = info


def _load_entries(
    document: yamlfile.LineDict, shown: str, kb: KnowledgeBase, problems: list[KbProblem]
) -> Iterator[tuple[Entry, int]]:
    entries = document.get("entries")
    if entries is None:
        return
    if not isinstance(entries, yamlfile.LineList):
        problems.append(
            KbProblem(
                shown,
                document.key_lines["entries"],
                "'entries' must be a list (each entry starts with '- id:')",
            )
        )
        return
    for index, body in enumerate(entries):
        line = entries.item_lines[index]
        if not isinstance(body, yamlfile.LineDict):
            problems.append(KbProblem(shown, line, "each entry must be a mapping starting '- id:'"))
            continue
        label = str(body.get("id") or f"#{index + 1}")
        entry = _validate(Entry, body, shown, line, label, problems)
        if entry is None:
            continue
        if entry.id in kb.sources:
            first_file, first_line = kb.sources[entry.id]
            problems.append(
                KbProblem(
                    shown,
                    body.key_lines.get("id", line),
                    f"duplicate id (first used at {first_file}:{first_line})",
                    entry.id,
                )
            )
            continue
        if entry.fix.image and confined_image(kb.root, entry.fix.image) is None:
            image_line = yamlfile.line_of(body, ("fix", "image"))
            inside = (
                (kb.root.resolve() / entry.fix.image).resolve().is_relative_to(kb.root.resolve())
            )
            reason = (
                f"image '{entry.fix.image}' not found in {kb.root}"
                if inside
                else f"image '{entry.fix.image}' is outside {kb.root}: put it in the folder"
            )
            problems.append(KbProblem(shown, image_line, reason, entry.id, "fix.image"))
            continue
        kb.entries[entry.id] = entry
        kb.sources[entry.id] = (shown, line)
        yield entry, line


def _validate(
    model: type[BaseModel],
    body: Any,
    shown: str,
    line: int,
    label: str,
    problems: list[KbProblem],
) -> Any:
    try:
        return model.parse_obj(body)
    except ValidationError as error:
        items = error.errors()
        # A misspelt required key gives "unknown key" and "missing": keep the first only.
        typos = {
            (item["loc"][:-1], close)
            for item in items
            if item["type"] == "value_error.extra"
            for close in difflib.get_close_matches(
                str(item["loc"][-1]), _field_names(model, item["loc"][:-1]), n=1
            )
        }
        for item in items:
            if (
                item["type"] == "value_error.missing"
                and (item["loc"][:-1], item["loc"][-1]) in typos
            ):
                continue
            loc = tuple(part for part in item["loc"] if part != "__root__")
            where = _dotted(loc)
            at = yamlfile.line_of(body, loc) or line
            entry = label if model is Entry else None
            message = _message(model, body, loc, item)
            if model is not Entry:
                where = f"{label}: {where}" if where else label
            problems.append(KbProblem(shown, at, message, entry, where or None))
    return None


def _message(model: type[BaseModel], body: Any, loc: tuple, item: dict) -> str:
    kind = item["type"]
    if kind == "value_error.extra":
        return _unknown_text(loc[-1], _field_names(model, loc[:-1]))
    if kind == "value_error.missing":
        return f"'{loc[-1]}' is missing"
    if kind == "type_error.str":
        value = _value_at(body, loc)
        if isinstance(value, dict):
            return (
                "must be text, but YAML read it as 'key: value' because of the ': ' inside "
                "it; put the whole text in quotes"
            )
        if isinstance(value, list):
            return "must be text, not a list"
        return (
            f"must be text, but YAML read {value!r} as a {type(value).__name__}: put it in "
            "quotes (an unquoted 05 becomes 5, an unquoted 0x80070005 a number)"
        )
    return item["msg"]


def _unknown_text(key: Any, known: tuple[str, ...], what: str = "key") -> str:
    message = f"unknown {what} '{key}'"
    close = difflib.get_close_matches(str(key), known, n=1)
    if close:
        return f"{message}; did you mean '{close[0]}'?"
    return f"{message}; expected one of: {', '.join(known)}"


def _unknown(
    shown: str, line: int, entry: str | None, key: Any, known: tuple[str, ...], what: str = "key"
) -> KbProblem:
    return KbProblem(shown, line, _unknown_text(key, known, what), entry)


def _field_names(model: type[BaseModel], loc: tuple) -> tuple[str, ...]:
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(current, "__fields__", {})
        if part not in fields:
            return tuple(fields)
        current = fields[part].type_
    return tuple(getattr(current, "__fields__", {}))


def _value_at(body: Any, loc: tuple) -> Any:
    for part in loc:
        try:
            body = body[part]
        except (KeyError, IndexError, TypeError):
            return None
    return body


def _dotted(loc: tuple) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
