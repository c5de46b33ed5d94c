"""The message templates approved for the business account: what may still reach a
customer once their 24-hour customer service window has closed.

Meta delivers only approved templates outside the window (anything else fails with
131047). ``knowledge/whatsapp_templates.yml`` lists the ones agents may pick in the console
(name as approved in WhatsApp Manager, a title, and the approved body per language so the
agent sees what the customer will read); ``WHATSAPP_WINDOW_TEMPLATE`` is offered too when it
is set. ``WHATSAPP_SURVEY_TEMPLATE`` names the satisfaction survey template: its body asks
for a score and it has five quick-reply buttons, 5 to 1 (``survey_components`` gives each
the payload the bot's own 1-5 buttons carry).

A template may have body variables ``{{1}}``, ``{{2}}``, … (as approved in WhatsApp
Manager): its ``parameters`` list says, in order, what each one is — a ``label`` for the
agent, where the console fills it from (``from: customer_name`` or ``case_id``; otherwise
the agent types it) and a ``max_length``. ``body_components`` checks the values as Meta
does (no line breaks or tabs, at most four spaces in a row, not empty, not too long) and
builds the ``components`` Meta expects: ``[{"type": "body", "parameters": [{"type":
"text", "text": ...}]}]``. ``problems`` is what ``helpdesk kb check`` reports for the file.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from helpdesk.errors import TemplateParametersInvalid
from helpdesk.settings import PROJECT_ROOT, get_settings

logger = logging.getLogger(__name__)

CATALOGUE_PATH = PROJECT_ROOT / "knowledge" / "whatsapp_templates.yml"
# The survey's buttons, top to bottom, and the Rasa payload each carries (as the bot's
# ``utter_ask_satisfaction`` buttons do, so one rule records either answer).
SURVEY_SCORES = ("5", "4", "3", "2", "1")


def score_payload(score: str) -> str:
    return '/rate{"score":"' + score + '"}'


# Where the console fills a variable from (anything else the agent types).
SOURCES = ("customer_name", "case_id")
PLACEHOLDER = re.compile(r"\{\{\s*(\d+)\s*\}\}")
# Meta's limits: a body text parameter may not hold line breaks or tabs, nor more than
# four consecutive spaces (error 132018); the whole body is at most 1024 characters.
MAX_PARAMETER = 1024
_REFUSED = re.compile(r"[\n\r\t]| {5,}|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Parameter:
    label: str
    source: str | None = None  # one of SOURCES, or None: the agent types it
    max_length: int = 60


@dataclass(frozen=True)
class ApprovedTemplate:
    name: str
    title: str
    # Approved body per language code (what the customer reads); may be empty.
    text: dict[str, str] = field(default_factory=dict)
    # The body variables {{1}}, {{2}}, … in order.
    parameters: tuple[Parameter, ...] = ()

    def language_for(self, wanted: str | None) -> str:
        """The template's language closest to the customer's (Meta needs an exact code)."""
        if wanted and wanted in self.text:
            return wanted
        return "en" if "en" in self.text or not self.text else next(iter(self.text))

    def preview(self, language: str | None, values: list[str] | None = None) -> str:
        """The body in the customer's language, with ``values`` in place of {{1}}, {{2}}…"""
        text = self.text.get(self.language_for(language), "")
        if not values:
            return text

        def put(found: re.Match[str]) -> str:
            index = int(found.group(1)) - 1
            return values[index] if 0 <= index < len(values) else found.group(0)

        return PLACEHOLDER.sub(put, text)

    def checked(self, values: list[str]) -> list[str]:
        """The values for {{1}}… as Meta accepts them, or ``TemplateParametersInvalid``
        saying which one is wrong."""
        if len(values) != len(self.parameters):
            raise TemplateParametersInvalid(
                f"template {self.name!r} takes {len(self.parameters)} value(s), got {len(values)}"
            )
        cleaned = []
        pairs = zip(self.parameters, values, strict=True)
        for number, (parameter, value) in enumerate(pairs, start=1):
            value = str(value).strip()
            what = f"{{{{{number}}}}} ({parameter.label})"
            if not value:
                raise TemplateParametersInvalid(f"{what} is empty")
            if len(value) > parameter.max_length:
                raise TemplateParametersInvalid(
                    f"{what} is longer than {parameter.max_length} characters"
                )
            if _REFUSED.search(value):
                raise TemplateParametersInvalid(
                    f"{what} has a line break, a tab or more than four spaces in a row"
                )
            cleaned.append(value)
        return cleaned

    def body_components(self, values: list[str]) -> list[dict[str, Any]]:
        """Meta's ``components`` for these values ([] for a template without variables)."""
        if not self.parameters:
            return []
        parameters = [{"type": "text", "text": v} for v in self.checked(values)]
        return [{"type": "body", "parameters": parameters}]


def _parameters(raw: Any) -> tuple[tuple[Parameter, ...], list[str]]:
    """The ``parameters`` list of one template, and what is wrong with it."""
    if raw is None:
        return (), []
    if not isinstance(raw, list):
        return (), ["parameters must be a list (one entry per {{n}}, in order)"]
    found, wrong = [], []
    for number, item in enumerate(raw, start=1):
        item = {"label": item} if isinstance(item, str) else item
        if not isinstance(item, dict) or not str(item.get("label") or "").strip():
            wrong.append(f"parameter {number} needs a label")
            continue
        source = item.get("from")
        if source is not None and source not in SOURCES:
            wrong.append(f"parameter {number}: from must be one of {', '.join(SOURCES)}")
            source = None
        length = item.get("max_length", 60)
        if not isinstance(length, int) or isinstance(length, bool) or not 1 <= length <= 1024:
            wrong.append(f"parameter {number}: max_length must be a number from 1 to 1024")
            length = 60
        found.append(Parameter(str(item["label"]).strip(), source, length))
    return tuple(found), wrong


def _template(item: Any) -> tuple[ApprovedTemplate | None, list[str]]:
    if not isinstance(item, dict) or not str(item.get("name") or "").strip():
        return None, ["an entry without a name"]
    name = str(item["name"]).strip()
    text = item.get("text") if isinstance(item.get("text"), dict) else {}
    parameters, wrong = _parameters(item.get("parameters"))
    for language, body in text.items():
        numbers = sorted({int(n) for n in PLACEHOLDER.findall(str(body))})
        if numbers != list(range(1, len(parameters) + 1)):
            shown = ", ".join("{{" + str(n) + "}}" for n in numbers) or "none"
            wrong.append(
                f"text.{language} has placeholders {shown} but {len(parameters)} "
                "parameter(s) are declared (the text must use {{1}} to {{n}}, n = parameters)"
            )
        if len(str(body)) > 1024:
            wrong.append(f"text.{language} is longer than Meta's 1024 characters")
    if parameters and not text:
        wrong.append("a template with parameters needs its approved text (to check them)")
    template = ApprovedTemplate(
        name=name,
        title=str(item.get("title") or name),
        text={str(k): str(v) for k, v in text.items()},
        parameters=parameters,
    )
    return template, [f"template {name!r}: {w}" for w in wrong]


def _read(path: Path) -> tuple[list[ApprovedTemplate], list[str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict) or not isinstance(data.get("templates") or [], list):
        return [], [f"{path.name}: expected a mapping with a 'templates' list"]
    found, wrong = [], []
    for item in data.get("templates") or []:
        template, problems = _template(item)
        if problems:
            wrong.extend(problems)
        elif template is not None:
            found.append(template)
    return found, wrong


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> tuple[ApprovedTemplate, ...]:
    found, wrong = _read(Path(path))
    for problem in wrong:  # a broken entry is not offered: it would fail at Meta
        logger.warning("approved templates (%s): %s (not offered)", path, problem)
    return tuple(found)


def problems(path: Path | None = None) -> list[str]:
    """What is wrong with the templates file (``helpdesk kb check``); [] when it is fine
    or absent."""
    path = path or CATALOGUE_PATH
    if not path.exists():
        return []
    try:
        return _read(path)[1]
    except (OSError, yaml.YAMLError) as error:
        return [f"{path.name}: cannot be read ({error})"]


def catalogue(path: Path | None = None) -> list[ApprovedTemplate]:
    """The templates agents may send (reloaded when the file changes), the window template
    included; [] when none is configured."""
    path = path or CATALOGUE_PATH  # looked up now: a test or a tool may point elsewhere
    try:
        listed = list(_load(str(path), path.stat().st_mtime))
    except FileNotFoundError:
        listed = []
    except (OSError, yaml.YAMLError, TypeError) as error:
        logger.warning("approved templates unavailable (%s): %s", path, error)
        listed = []
    window = get_settings().whatsapp_window_template
    if window and all(t.name != window for t in listed):
        listed.insert(0, ApprovedTemplate(name=window, title="Invite the customer to write back"))
    return listed


def approved(name: str, path: Path | None = None) -> ApprovedTemplate | None:
    return next((t for t in catalogue(path) if t.name == name), None)


def approved_names(path: Path | None = None) -> set[str]:
    """Every template name the product may send (the sandbox approves exactly these)."""
    s = get_settings()
    names = {t.name for t in catalogue(path)}
    names.update(n for n in (s.whatsapp_window_template, s.whatsapp_survey_template) if n)
    return names


def survey_components(choice_ids: list[str]) -> list[dict[str, Any]]:
    """The survey template's quick-reply buttons, each with its score's payload id."""
    return [
        {
            "type": "button",
            "sub_type": "quick_reply",
            "index": str(index),
            "parameters": [{"type": "payload", "payload": choice}],
        }
        for index, choice in enumerate(choice_ids)
    ]
