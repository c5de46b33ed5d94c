"""The terminal view of ``helpdesk run``: third-party warnings hidden, real problems shown."""

from __future__ import annotations

import re

from helpdesk.logview import TerminalView
from tests.support.servers import PROJECT_ROOT

# A real first run with the former launcher (tests/data/launcher/SOURCE.md).
CAPTURE = PROJECT_ROOT / "tests" / "data" / "launcher" / "make-run-honcho.txt"
_PREFIX = re.compile(r"^\d\d:\d\d:\d\d (?P<name>\w+)\s+\| (?P<line>.*)$")


def _capture() -> list[tuple[str, str]]:
    lines = []
    for raw in CAPTURE.read_text(encoding="utf-8").splitlines():
        match = _PREFIX.match(raw)
        lines.append((match["name"], match["line"]) if match else ("launcher", raw))
    return lines


def test_a_real_first_run_keeps_the_product_lines_and_drops_the_third_party_noise() -> None:
    view = TerminalView()
    lines = _capture()
    start_up = next(i for i, (_, line) in enumerate(lines) if "up and running." in line) + 1
    verdicts = [(line, view(name, line)) for name, line in lines[:start_up]]
    shown = [line for line, visible in verdicts if visible]
    hidden = [line for line, visible in verdicts if not visible]
    text = "\n".join(shown)
    for wanted in (
        "WhatsApp sandbox: web chat at http://localhost:18001/",
        "Agent console: http://localhost:18000/",
        "Action endpoint is up and running",
        "Starting Rasa server on",
        "Loading model",
        "Rasa server is up and running.",
    ):
        assert wanted in text
    assert "Warning" not in text
    assert "declare_namespace" not in text and "import pkg_resources" not in text
    assert "alembic.runtime.plugins" not in text
    assert "Registered function for" not in text
    assert any("DeprecationWarning" in line for line in hidden)
    # 98 lines until Rasa is up; 75 of them are third-party warnings and library INFO.
    assert start_up == 98 and len(shown) <= 25


def test_an_error_right_after_a_hidden_warning_is_shown() -> None:
    view = TerminalView()
    site = "/venv/lib/python3.11/site-packages"
    assert not view("rasa", f"{site}/sanic_cors/extension.py:39: DeprecationWarning: old")
    assert not view("rasa", "Implementing implicit namespace packages is preferred")
    # Rasa prints its fatal errors in colour, without a timestamp and without indentation.
    fatal = "\x1b[91mRasaException: Error when trying to expand the environment variables\x1b[0m"
    assert view("rasa", fatal)
    assert not view("rasa", f"{site}/matplotlib/x.py:88: PyparsingDeprecationWarning: old")
    assert not view("rasa", "  parse = parser.parseString(pattern)")
    assert view("rasa", "Traceback (most recent call last):")
    assert view("rasa", '  File "/work/actions/capture.py", line 3, in run')
    assert view("rasa", "ValueError: bad")


def test_warnings_that_concern_the_project_and_every_error_record_are_shown() -> None:
    view = TerminalView()
    assert view("actions", f"{PROJECT_ROOT}/helpdesk/kb/load.py:12: DeprecationWarning: ours")
    assert view("rasa", "/venv/site-packages/rasa/shared/utils/io.py:99: UserWarning: domain")
    assert view("rasa", "2026-12-01 10:18:51 ERROR    rasa.server  - User is not authenticated.")
    assert view("console", "2026-12-01 10:13:11,119 WARNING alembic.runtime: odd")
    assert view("console", "2026-12-01 10:13:11,119 INFO helpdesk.tickets: ticket 4 opened")
    assert not view("console", "2026-12-01 10:13:11,119 INFO alembic.runtime.plugins: setup")
    assert not view("rasa", "2026-12-01 10:13:15.123456: I tensorflow/core/platform/cpu.cc:1")
    assert view("rasa", "2026-12-01 10:13:15.123456: E tensorflow/core/framework/op.cc:1")
