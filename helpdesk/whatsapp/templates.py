"""The message templates approved for the business account: what may still reach a
customer once their 24-hour customer service window has closed.

Meta delivers only approved templates outside the window (anything else fails with
131047). ``knowledge/whatsapp_templates.yml`` lists the ones agents may pick in the console
(name as approved in WhatsApp Manager, a title, and the approved body per language so the
agent sees what the customer will read); ``WHATSAPP_WINDOW_TEMPLATE`` is offered too when it
is set. ``WHATSAPP_SURVEY_TEMPLATE`` names the satisfaction survey template: its body asks
for a score and it has five quick-reply buttons, 5 to 1 (``survey_components`` gives each
the payload the bot's own 1-5 buttons carry).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from helpdesk.settings import PROJECT_ROOT, get_settings

logger = logging.getLogger(__name__)

CATALOGUE_PATH = PROJECT_ROOT / "knowledge" / "whatsapp_templates.yml"
# The survey's buttons, top to bottom, and the Rasa payload each carries (as the bot's
# ``utter_ask_satisfaction`` buttons do, so one rule records either answer).
SURVEY_SCORES = ("5", "4", "3", "2", "1")


def score_payload(score: str) -> str:
    return '/rate{"score":"' + score + '"}'


@dataclass(frozen=True)
class ApprovedTemplate:
    name: str
    title: str
    # Approved body per language code (what the customer reads); may be empty.
    text: dict[str, str] = field(default_factory=dict)

    def language_for(self, wanted: str | None) -> str:
        """The template's language closest to the customer's (Meta needs an exact code)."""
        if wanted and wanted in self.text:
            return wanted
        return "en" if "en" in self.text or not self.text else next(iter(self.text))

    def preview(self, language: str | None) -> str:
        return self.text.get(self.language_for(language), "")


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> tuple[ApprovedTemplate, ...]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    found = []
    for item in data.get("templates") or []:
        if not isinstance(item, dict) or not str(item.get("name") or "").strip():
            continue
        text = item.get("text") if isinstance(item.get("text"), dict) else {}
        found.append(
            ApprovedTemplate(
                name=str(item["name"]).strip(),
                title=str(item.get("title") or item["name"]),
                text={str(k): str(v) for k, v in text.items()},
            )
        )
    return tuple(found)


def catalogue(path: Path = CATALOGUE_PATH) -> list[ApprovedTemplate]:
    """The templates agents may send (reloaded when the file changes), the window template
    included; [] when none is configured."""
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


def approved(name: str, path: Path = CATALOGUE_PATH) -> ApprovedTemplate | None:
    return next((t for t in catalogue(path) if t.name == name), None)


def approved_names(path: Path = CATALOGUE_PATH) -> set[str]:
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
