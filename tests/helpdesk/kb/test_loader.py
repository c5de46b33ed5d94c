"""The knowledge base loader: the shipped KB loads, and each kind of designer mistake is
reported with the file, the entry and the line, without stopping at the first one."""

from __future__ import annotations

import textwrap
from collections import Counter
from pathlib import Path

import pytest

from helpdesk.conversation import USE_CASE_INTENTS
from helpdesk.errors import KnowledgeBaseError
from helpdesk.kb import check, load
from helpdesk.settings import PROJECT_ROOT
from tests.helpdesk.kb.kbfiles import CATEGORIES, GOOD_ENTRY, make_kb


def only_problem(folder: Path) -> str:
    _, problems = check(folder)
    assert len(problems) == 1, [str(p) for p in problems]
    return str(problems[0])


def line_of(folder: Path, needle: str, name: str = "topic.yml") -> int:
    lines = (folder / name).read_text(encoding="utf-8").splitlines()
    return next(number for number, text in enumerate(lines, start=1) if needle in text)


def test_shipped_knowledge_base_loads_with_forty_entries_over_every_use_case() -> None:
    kb = load(PROJECT_ROOT / "knowledge")
    per_category = Counter(entry.category for entry in kb)
    assert len(kb) >= 40
    assert set(per_category) == set(USE_CASE_INTENTS)
    assert all(count >= 3 for count in per_category.values()), per_category
    # Safety and fraud entries exist and hand off at once with high severity.
    always = [entry for entry in kb if entry.escalate.always]
    assert {e.queue for e in always} >= {"safety", "payments_risk"}
    assert all(e.severity in ("high", "critical") for e in always)
    for entry in kb:
        assert len(entry.fix.en) == len(entry.fix.es)
        assert entry.follow_up.en and entry.follow_up.es


def test_a_good_file_loads(tmp_path: Path) -> None:
    kb = load(make_kb(tmp_path, GOOD_ENTRY.format(id="win-denied")))
    entry = kb.entry("win-denied")
    assert entry.fix.steps("es") == ["Ejecuta como administrador.", "Reinicia."]
    assert kb.sources["win-denied"][1] == 2


def test_bad_yaml_names_the_file_and_line(tmp_path: Path) -> None:
    broken = GOOD_ENTRY.format(id="x").replace("severity: medium", "severity: [medium")
    folder = make_kb(tmp_path, broken)
    message = only_problem(folder)
    assert "topic.yml:" in message and "not valid YAML" in message
    reported = int(message.split("topic.yml:")[1].split(":")[0])
    assert abs(reported - line_of(folder, "severity: [medium")) <= 2


def test_unknown_key_is_an_error_with_a_suggestion(tmp_path: Path) -> None:
    folder = make_kb(tmp_path, GOOD_ENTRY.format(id="typo").replace("severity:", "severty:"))
    message = only_problem(folder)
    line = line_of(folder, "severty:")
    assert message.startswith(f"knowledge/topic.yml:{line}: entry 'typo'") or (
        f"topic.yml:{line}: entry 'typo'" in message
    )
    assert "unknown key 'severty'" in message and "did you mean 'severity'" in message


def test_unknown_key_inside_match_is_an_error(tmp_path: Path) -> None:
    folder = make_kb(tmp_path, GOOD_ENTRY.format(id="m").replace("error_codes:", "error_code:"))
    message = only_problem(folder)
    assert f"topic.yml:{line_of(folder, 'error_code:')}: entry 'm': match.error_code:" in message
    assert "did you mean 'error_codes'" in message


def test_missing_language_names_the_field(tmp_path: Path) -> None:
    entry = GOOD_ENTRY.format(id="no-es").replace(', es: "¿Funcionó?"', "")
    folder = make_kb(tmp_path, entry)
    message = only_problem(folder)
    assert f"topic.yml:{line_of(folder, 'follow_up:')}: entry 'no-es': follow_up.es" in message
    assert "'es' is missing" in message


def test_steps_must_be_translated_one_for_one(tmp_path: Path) -> None:
    entry = GOOD_ENTRY.format(id="steps").replace(
        "[Ejecuta como administrador., Reinicia.]", "[Reinicia.]"
    )
    message = only_problem(make_kb(tmp_path, entry))
    assert "entry 'steps': fix.es" in message and "1 step(s) but 'en' has 2" in message


def test_regex_that_does_not_compile_is_reported(tmp_path: Path) -> None:
    folder = make_kb(
        tmp_path, GOOD_ENTRY.format(id="rx").replace("'access (is )?denied'", "'access (is denied'")
    )
    message = only_problem(folder)
    assert f"topic.yml:{line_of(folder, 'access (is denied')}: entry 'rx'" in message
    assert "match.text_patterns[0]" in message and "does not compile" in message


def test_duplicate_id_across_files_names_both_places(tmp_path: Path) -> None:
    folder = make_kb(tmp_path, GOOD_ENTRY.format(id="same"))
    (folder / "other.yml").write_text("entries:\n" + GOOD_ENTRY.format(id="same"), encoding="utf-8")
    message = only_problem(folder)
    # Files load in name order: other.yml first, so topic.yml holds the duplicate.
    assert "topic.yml:2: entry 'same': duplicate id (first used at" in message
    assert "other.yml:2)" in message


def test_missing_image_is_reported_and_an_existing_one_loads(tmp_path: Path) -> None:
    entry = GOOD_ENTRY.format(id="img").replace(
        "      es: [Ejecuta", "      image: images/steps.png\n      es: [Ejecuta"
    )
    folder = make_kb(tmp_path, entry)
    message = only_problem(folder)
    assert f"topic.yml:{line_of(folder, 'image:')}: entry 'img': fix.image" in message
    assert "images/steps.png" in message and "not found" in message
    (folder / "images").mkdir()
    (folder / "images" / "steps.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    kb = load(folder)
    assert kb.image_path(kb.entry("img")) == (folder / "images" / "steps.png").resolve()


def test_unquoted_codes_that_yaml_turns_into_numbers_are_caught(tmp_path: Path) -> None:
    folder = make_kb(
        tmp_path, GOOD_ENTRY.format(id="num").replace('["0x80070005"]', "[05, 0x80070005]")
    )
    _, problems = check(folder)
    messages = [str(p) for p in problems]
    assert len(messages) == 2
    assert all("entry 'num': match.error_codes[" in m and "put it in quotes" in m for m in messages)


def test_text_with_a_colon_must_be_quoted(tmp_path: Path) -> None:
    folder = make_kb(
        tmp_path, GOOD_ENTRY.format(id="colon").replace("Restart.]", "Run chkdsk C: /scan]")
    )
    message = only_problem(folder)
    assert "entry 'colon': fix.en[1]" in message and "put the whole text in quotes" in message


def test_safety_entry_must_say_why_it_escalates(tmp_path: Path) -> None:
    entry = GOOD_ENTRY.format(id="fire") + "    escalate: {always: true}\n"
    message = only_problem(make_kb(tmp_path, entry))
    assert "entry 'fire': escalate.reason" in message and "needs a 'reason'" in message


def test_every_problem_is_reported_at_once_and_load_raises(tmp_path: Path) -> None:
    entries = (
        GOOD_ENTRY.format(id="a").replace("severity: medium", "severity: urgent")
        + GOOD_ENTRY.format(id="b").replace("category: report_software_error", "category: sofware")
        + GOOD_ENTRY.format(id="c")
        + "    then_try: [nowhere]\n"
    )
    folder = make_kb(tmp_path, entries)
    with pytest.raises(KnowledgeBaseError) as caught:
        load(folder)
    text = "\n".join(str(p) for p in caught.value.problems)
    assert "entry 'a': severity" in text and "'low', 'medium', 'high', 'critical'" in text
    assert "entry 'b': category" in text
    assert "entry 'c': then_try" in text and "'nowhere'" in text
    assert "helpdesk kb check" in str(caught.value)


def test_duplicate_key_in_one_entry_is_an_error(tmp_path: Path) -> None:
    entry = GOOD_ENTRY.format(id="twice") + "    severity: high\n"
    folder = make_kb(tmp_path, entry)
    message = only_problem(folder)
    assert "'severity' appears twice" in message
    assert f"topic.yml:{line_of(folder, 'severity: high')}" in message


def test_missing_category_defaults_are_reported(tmp_path: Path) -> None:
    folder = make_kb(tmp_path, GOOD_ENTRY.format(id="x"))
    (folder / "categories.yml").write_text(
        textwrap.dedent(CATEGORIES).split("  report_software_error:")[0], encoding="utf-8"
    )
    _, problems = check(folder)
    missing = {p.message.split("'")[1] for p in problems}
    assert missing == set(USE_CASE_INTENTS) - {"report_damaged_product"}


def test_other_yaml_files_in_the_folder_are_skipped_but_typos_are_not(tmp_path: Path) -> None:
    folder = make_kb(tmp_path, GOOD_ENTRY.format(id="x"))
    (folder / "canned.yml").write_text("responses:\n  - id: hi\n", encoding="utf-8")
    kb, problems = check(folder)
    assert problems == []
    assert [Path(name).name for name in kb.skipped] == ["canned.yml"]
    (folder / "typo.yml").write_text("entires:\n" + GOOD_ENTRY.format(id="y"), encoding="utf-8")
    message = only_problem(folder)
    assert "typo.yml:1" in message and "did you mean 'entries'" in message


def test_a_key_that_is_not_a_word_is_reported_not_raised(tmp_path: Path) -> None:
    # Found by fuzzing: "&id:" is a YAML anchor, so the entry's first key is empty (None).
    entry = GOOD_ENTRY.format(id="anchored").replace("  - id:", "  - &id:", 1)
    folder = make_kb(tmp_path, entry)
    message = only_problem(folder)
    assert "is not a word" in message
    assert f"topic.yml:{line_of(folder, '&id:')}" in message
