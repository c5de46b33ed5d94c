"""The approved templates the console offers once a customer's window has closed."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpdesk.settings import get_settings
from helpdesk.whatsapp import templates


@pytest.fixture(autouse=True)
def _settings(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("WHATSAPP_WINDOW_TEMPLATE", "reopen_chat")
    monkeypatch.setenv("WHATSAPP_SURVEY_TEMPLATE", "csat_survey")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_the_shipped_catalogue_and_the_window_template() -> None:
    names = [t.name for t in templates.catalogue()]
    assert names == ["reopen_chat", "hello_world"]
    hello = templates.approved("hello_world")
    assert hello is not None and hello.preview("es").startswith("Welcome")  # only English
    assert hello.language_for("es") == "en"
    assert templates.approved("made_up") is None
    # The sandbox approves these; the survey is not for agents to pick.
    assert templates.approved_names() == {"reopen_chat", "hello_world", "csat_survey"}


def test_a_catalogue_with_mistakes_loses_only_the_bad_entries(tmp_path: Path) -> None:
    path = tmp_path / "t.yml"
    path.write_text(
        "templates:\n"
        "  - name: order_update\n"
        "    title: Order update\n"
        "    text: {en: 'Your order has news.', es: 'Tu pedido tiene novedades.'}\n"
        "  - title: no name\n"
        "  - just a string\n",
        encoding="utf-8",
    )
    found = templates.catalogue(path)
    assert [t.name for t in found] == ["reopen_chat", "order_update"]
    assert found[1].preview("es") == "Tu pedido tiene novedades."
    path.write_text("templates: [unclosed", encoding="utf-8")
    assert [t.name for t in templates.catalogue(path)] == ["reopen_chat"]
    assert [t.name for t in templates.catalogue(tmp_path / "missing.yml")] == ["reopen_chat"]


def test_survey_buttons_carry_the_scores_in_order() -> None:
    components = templates.survey_components(["a", "b"])
    assert components == [
        {"type": "button", "sub_type": "quick_reply", "index": "0",
         "parameters": [{"type": "payload", "payload": "a"}]},
        {"type": "button", "sub_type": "quick_reply", "index": "1",
         "parameters": [{"type": "payload", "payload": "b"}]},
    ]  # fmt: skip
    assert templates.score_payload("5") == '/rate{"score":"5"}'
