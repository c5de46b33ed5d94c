"""The approved templates the console offers once a customer's window has closed."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpdesk.errors import TemplateParametersInvalid
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


VARIABLES = (
    "templates:\n"
    "  - name: case_update\n"
    "    title: News about the case\n"
    "    parameters:\n"
    "      - {label: Customer name, from: customer_name, max_length: 40}\n"
    "      - {label: Case number, from: case_id, max_length: 12}\n"
    "      - {label: What happened, max_length: 20}\n"
    "    text:\n"
    "      en: 'Hello {{1}}, news about case #{{2}}: {{3}}.'\n"
    "      es: 'Hola {{1}}, novedades del caso #{{2}}: {{3}}.'\n"
)


def test_a_template_with_variables_builds_metas_body_components(tmp_path: Path) -> None:
    path = tmp_path / "t.yml"
    path.write_text(VARIABLES, encoding="utf-8")
    assert templates.problems(path) == []
    chosen = next(t for t in templates.catalogue(path) if t.name == "case_update")
    assert [(p.label, p.source, p.max_length) for p in chosen.parameters] == [
        ("Customer name", "customer_name", 40),
        ("Case number", "case_id", 12),
        ("What happened", None, 20),
    ]
    values = [" Ana <b>&</b> ", "42", "refund approved"]
    assert chosen.body_components(values) == [
        {
            "type": "body",
            "parameters": [
                {"type": "text", "text": "Ana <b>&</b>"},  # as typed: WhatsApp shows text
                {"type": "text", "text": "42"},
                {"type": "text", "text": "refund approved"},
            ],
        }
    ]
    assert chosen.preview("es", ["Ana", "42", "ok"]) == "Hola Ana, novedades del caso #42: ok."
    assert templates.approved("hello_world").body_components([]) == []  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("values", "words"),
    [
        (["Ana", "42"], "takes 3 value(s), got 2"),
        (["Ana", "42", ""], "{{3}} (What happened) is empty"),
        (["Ana", "42", "x" * 21], "{{3}} (What happened) is longer than 20 characters"),
        (["Ana\nBob", "42", "ok"], "{{1}} (Customer name) has a line break"),
        (["Ana", "42", "a\tb"], "a tab"),
        (["Ana", "4     2", "ok"], "more than four spaces in a row"),
    ],
)
def test_variables_meta_would_refuse_are_refused_first(
    tmp_path: Path, values: list[str], words: str
) -> None:
    path = tmp_path / "t.yml"
    path.write_text(VARIABLES, encoding="utf-8")
    chosen = next(t for t in templates.catalogue(path) if t.name == "case_update")
    with pytest.raises(TemplateParametersInvalid) as refused:
        chosen.body_components(values)
    assert words in str(refused.value)


def test_a_template_whose_placeholders_do_not_match_is_reported_and_not_offered(
    tmp_path: Path,
) -> None:
    path = tmp_path / "t.yml"
    path.write_text(
        VARIABLES.replace("#{{2}}: {{3}}.'\n      es", "#{{2}}.'\n      es") + "  - name: odd\n"
        "    parameters: [{label: x, from: the_moon, max_length: 0}]\n"
        "    text: {en: 'Hi {{2}}'}\n",
        encoding="utf-8",
    )
    found = templates.problems(path)
    assert found == [
        "template 'case_update': text.en has placeholders {{1}}, {{2}} but 3 parameter(s) "
        "are declared (the text must use {{1}} to {{n}}, n = parameters)",
        "template 'odd': parameter 1: from must be one of customer_name, case_id",
        "template 'odd': parameter 1: max_length must be a number from 1 to 1024",
        "template 'odd': text.en has placeholders {{2}} but 1 parameter(s) are declared "
        "(the text must use {{1}} to {{n}}, n = parameters)",
    ]
    assert [t.name for t in templates.catalogue(path)] == ["reopen_chat"]
