"""Which of the children's lines ``helpdesk run`` shows on the terminal.

Every line still goes to the log file (var/log/run.log); the terminal keeps what a person
starting the product needs: the product's own lines, Rasa's start-up and every warning or
error that is not a third-party deprecation notice. Calibrated on a real ``make run``
(Rasa 3.6.21 on Python 3.11), whose first 98 lines were mostly:

- deprecation warnings raised inside site-packages (pkg_resources, distutils, sre_constants,
  jax, pyparsing, SQLAlchemy's ``SADeprecationWarning``), each a ``path:line: Category:
  message`` header followed by the offending source line, sometimes by a wrapped message;
- INFO chatter of libraries (``alembic.runtime.plugins: setup plugin …``) and rasa-sdk's
  ``Registered function for '…'`` once per action.

Hidden: those two kinds (and TensorFlow's native I/W lines). Shown: everything else, in
particular every record at WARNING or above from anyone, tracebacks, any warning raised in
the project's own code, and any warning of another category (a Rasa ``UserWarning`` about
the domain is about our data).
"""

from __future__ import annotations

import re

# "path:line: SomeWarning: message" as Python's warnings module prints it.
_WARNING = re.compile(r"^(?P<path>\S.*?):\d+: (?P<category>\w*Warning): ")
# The two record formats: the helpdesk CLI's logging.basicConfig and Rasa's coloredlogs.
_RECORD = re.compile(
    r"^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[,.]\d+)? +"
    r"(?P<level>DEBUG|INFO|WARNING|ERROR|CRITICAL) +(?P<logger>[\w.]+)(?::| +- )"
)
_TENSORFLOW_NATIVE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: [IW] tensorflow/")
# Something new starts here, so the lines of a warning before it have ended.
_NEW_ENTRY = re.compile(r"^(\d{4}-\d\d-\d\d|\S.*?:\d+: \w+: )")
_ALARM = re.compile(r"(Error|Exception|Traceback|CRITICAL|FATAL)\b", re.IGNORECASE)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
# Lines of a wrapped warning message hidden at most before its source line.
_WARNING_TAIL = 4

# Loggers whose INFO lines are shown: the product's own, and Rasa's start-up lines.
PRODUCT_LOGGERS = ("helpdesk", "channels", "actions", "rasa_addons", "rasa_sdk_plugins")
SHOWN_INFO = (*PRODUCT_LOGGERS, "root", "rasa", "rasa_sdk.endpoint", "__main__")
HIDDEN_INFO = ("rasa_sdk.executor",)  # one "Registered function" line per action


def _under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


def _third_party(path: str) -> bool:
    return "site-packages" in path or "dist-packages" in path or path.startswith("<frozen ")


class TerminalView:
    """``view(name, line) -> bool``: show this line of child ``name`` on the terminal?

    Stateful per child: after a hidden warning's header, its wrapped message lines and its
    source line (indented; it ends the warning) are hidden with it, a few lines at most, and
    never a line that starts a record or mentions an error, an exception or a traceback.
    """

    def __init__(self) -> None:
        self._warning_lines_left: dict[str, int] = {}

    def __call__(self, name: str, line: str) -> bool:
        clean = _ANSI.sub("", line)
        warning = _WARNING.match(clean)
        if warning:
            category = warning["category"]
            hidden = _third_party(warning["path"]) and (
                "Deprecation" in category or category == "FutureWarning"
            )
            self._warning_lines_left[name] = _WARNING_TAIL if hidden else 0
            return not hidden
        if self._warning_lines_left.get(name):
            if _NEW_ENTRY.match(clean) or _ALARM.search(clean):
                self._warning_lines_left[name] = 0
            elif clean[:1].isspace():  # the source line: the warning ends here
                self._warning_lines_left[name] = 0
                return False
            else:
                self._warning_lines_left[name] -= 1
                return False
        if _TENSORFLOW_NATIVE.match(clean):
            return False
        record = _RECORD.match(clean)
        if record and record["level"] in ("DEBUG", "INFO"):
            logger = record["logger"]
            return _under(logger, SHOWN_INFO) and not _under(logger, HIDDEN_INFO)
        return True
