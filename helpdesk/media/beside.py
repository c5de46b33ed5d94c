"""A stage of the analysis run in a thread beside the others.

The authenticity checks and the barcode reader need only the decoded pixels, never the
quality verdict or the text, and their work is native code that lets other threads run
(OpenCV, zbar through ctypes), as is most of what runs meanwhile (Tesseract through ctypes,
OpenCV). With a second core free a picture then costs about its longest stage instead of
the sum of its stages; with none it costs what it did. The answer is the same either way:
the stages share nothing but the pixels, which nobody writes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


class Pending:
    """``function(*args)`` started in its own thread; ``result()`` waits for it and returns
    its value or raises its exception, as a call in this thread would."""

    def __init__(self, function: Callable[..., Any], *args: Any) -> None:
        self._value: Any = None
        self._error: BaseException | None = None
        # A daemon: a native decoder stuck in it must not keep the process from ending (the
        # analysis's own budget is enforced by its child process, helpdesk/media/isolation.py).
        self._thread = threading.Thread(
            target=self._run, args=(function, args), name="media-beside", daemon=True
        )
        self._thread.start()

    def _run(self, function: Callable[..., Any], args: tuple[Any, ...]) -> None:
        try:
            self._value = function(*args)
        except BaseException as error:  # handed to the caller by result()
            self._error = error

    def wait(self) -> None:
        self._thread.join()

    def result(self) -> Any:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value
