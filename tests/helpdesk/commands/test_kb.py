"""``helpdesk kb check``: a summary and exit 0 for the shipped knowledge base, every problem
with file, line and entry and exit 1 for a broken one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from helpdesk.cli import main
from helpdesk.settings import PROJECT_ROOT
from tests.helpdesk.kb.kbfiles import GOOD_ENTRY, make_kb


def test_shipped_knowledge_base_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "check"]) == 0
    out = capsys.readouterr().out
    assert "OK" in out and "report_software_error:" in out
    total = int(out.split(": ", 1)[1].split(" entries")[0])
    assert total >= 40


def test_broken_folder_lists_each_problem_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    entries = GOOD_ENTRY.format(id="one").replace("queue:", "queu:") + GOOD_ENTRY.format(
        id="two"
    ).replace("'access (is )?denied'", "'(unclosed'")
    folder = make_kb(tmp_path, entries)
    assert main(["kb", "check", str(folder)]) == 1
    out = capsys.readouterr().out
    lines = (folder / "topic.yml").read_text(encoding="utf-8").splitlines()
    queu = next(n for n, text in enumerate(lines, 1) if "queu:" in text)
    regex = next(n for n, text in enumerate(lines, 1) if "(unclosed" in text)
    assert f"topic.yml:{queu}: entry 'one': queu: unknown key 'queu'; did you mean 'queue'?" in out
    assert f"topic.yml:{regex}: entry 'two': match.text_patterns[0]:" in out
    assert "2 problem(s)" in out


def test_a_single_file_can_be_checked_on_its_own(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = make_kb(tmp_path, GOOD_ENTRY.format(id="solo"))
    assert main(["kb", "check", str(folder / "topic.yml")]) == 0
    assert "1 entries in 1 file(s)" in capsys.readouterr().out


def test_the_installed_command_exits_non_zero_on_problems(tmp_path: Path) -> None:
    folder = make_kb(tmp_path, GOOD_ENTRY.format(id="x").replace("severity: medium", ""))
    helpdesk = Path(sys.executable).with_name("helpdesk")
    done = subprocess.run(
        [str(helpdesk), "kb", "check", str(folder)],
        capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1
    assert "entry 'x'" in done.stdout and "'severity' is missing" in done.stdout


def test_templates_whose_placeholders_do_not_match_fail_the_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = make_kb(tmp_path, GOOD_ENTRY.format(id="one"))
    (folder / "whatsapp_templates.yml").write_text(
        "templates:\n"
        "  - name: case_update\n"
        "    parameters: [{label: Customer name, from: customer_name}]\n"
        "    text: {en: 'Hello {{1}}, your case #{{2}} has news.'}\n",
        encoding="utf-8",
    )
    assert main(["kb", "check", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "template 'case_update': text.en has placeholders {{1}}, {{2}} but 1 parameter(s)" in out
    assert "the console does not offer those templates until they are fixed" in out
    (folder / "whatsapp_templates.yml").write_text(
        "templates:\n"
        "  - name: case_update\n"
        "    parameters: [{label: Customer name, from: customer_name}, {label: Case}]\n"
        "    text: {en: 'Hello {{1}}, your case #{{2}} has news.'}\n",
        encoding="utf-8",
    )
    assert main(["kb", "check", str(folder)]) == 0
    assert "approved WhatsApp templates: 1 OK" in capsys.readouterr().out
