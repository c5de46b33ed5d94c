"""The domain is edited by designers: check what they could easily get wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from helpdesk.conversation import INTENTS, LANGUAGE_SLOT, SUPPORTED_LANGUAGES
from helpdesk.settings import PROJECT_ROOT

DOMAIN = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
RESPONSES = DOMAIN["responses"]


def _language_of(variation: dict) -> str | None:
    for condition in variation.get("condition", []):
        if condition.get("name") == LANGUAGE_SLOT:
            return condition["value"]
    return None


def test_intents_are_the_ones_code_and_dashboards_use() -> None:
    assert DOMAIN["intents"] == list(INTENTS)


@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_every_response_exists_in_spanish_and_has_an_english_default(name: str) -> None:
    languages = [_language_of(variation) for variation in RESPONSES[name]]
    assert "es" in languages, f"{name} has no Spanish variation"
    assert None in languages, f"{name} has no default (English) variation"
    assert set(languages) <= {None, *SUPPORTED_LANGUAGES}


@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_buttons_fit_whatsapp_limits(name: str) -> None:
    for variation in RESPONSES[name]:
        buttons = variation.get("buttons", [])
        assert len(buttons) <= 10, "WhatsApp lists hold at most 10 rows"
        limit = 20 if len(buttons) <= 3 else 24  # reply button title / list row title
        for button in buttons:
            assert len(button["title"]) <= limit, f"{name}: '{button['title']}' is too long"
            assert button["payload"].startswith("/")
        assert len(variation["text"]) <= 1024, "text with buttons becomes a body of ≤1024"


def test_spanish_and_english_offer_the_same_choices() -> None:
    for name, variations in RESPONSES.items():
        payloads = {
            _language_of(v): [b["payload"] for b in v.get("buttons", [])] for v in variations
        }
        assert payloads["es"] == payloads[None], name


def test_conversation_tests_exist_for_both_languages() -> None:
    stories = Path(PROJECT_ROOT / "tests" / "conversations").glob("test_*.yml")
    names = [
        story["story"] for path in stories for story in yaml.safe_load(path.read_text())["stories"]
    ]
    assert any("Spanish" in n for n in names) and any("English" in n for n in names)


def test_example_pictures_exist_and_fit_whatsapp() -> None:
    for name, variations in RESPONSES.items():
        for variation in variations:
            image = variation.get("image")
            if image is None:
                continue
            path = PROJECT_ROOT / image
            assert path.is_file(), f"{name}: {image} is missing"
            assert path.stat().st_size < 5 * 1024 * 1024, f"{name}: over WhatsApp's 5 MB"
            assert len(variation["text"]) <= 1024, f"{name}: a caption holds 1024 characters"


def test_every_form_slot_is_asked_for() -> None:
    actions = set(DOMAIN["actions"])
    for form in DOMAIN["forms"].values():
        for slot in form["required_slots"]:
            assert f"utter_ask_{slot}" in RESPONSES or f"action_ask_{slot}" in actions, slot
