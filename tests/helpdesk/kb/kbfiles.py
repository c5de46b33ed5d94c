"""Small knowledge folders for tests: the five categories and one well-formed entry that
tests break in one place each."""

from __future__ import annotations

from pathlib import Path

from helpdesk.conversation import USE_CASE_INTENTS

CATEGORIES = "categories:\n" + "".join(
    f"  {name}:\n    title: {{en: {name}, es: {name}}}\n    queue: q_{index}\n"
    f"    severity: low\n    words: [w{index}]\n"
    for index, name in enumerate(USE_CASE_INTENTS)
)

GOOD_ENTRY = """\
  - id: {id}
    category: report_software_error
    title: {{en: Access denied, es: Acceso denegado}}
    match:
      error_codes: ["0x80070005"]
      text_patterns: ['access (is )?denied']
    severity: medium
    queue: software
    fix:
      en: [Run as administrator., Restart.]
      es: [Ejecuta como administrador., Reinicia.]
    follow_up: {{en: "Did it work?", es: "¿Funcionó?"}}
"""


def make_kb(tmp_path: Path, entries: str, *, name: str = "topic.yml") -> Path:
    folder = tmp_path / "knowledge"
    folder.mkdir(exist_ok=True)
    (folder / "categories.yml").write_text(CATEGORIES, encoding="utf-8")
    (folder / name).write_text("entries:\n" + entries, encoding="utf-8")
    return folder
