"""Serving one of the product's ASGI apps (ingest, worker, console, sandbox) with uvicorn."""

from __future__ import annotations

import gc
import importlib.util
import sys
from collections.abc import Iterable
from typing import Any

# Optional modules a library tries to import on every call: httpcore imports sniffio each
# time it sets up a lock (several times per HTTP request), and when sniffio is not
# installed every try searched the whole sys.path again (about 50 µs each; 6 % of the
# worker's busy samples under load).
_PROBED = ("sniffio",)


def _remember_missing(names: Iterable[str]) -> None:
    """Make ``import name`` fail at once for each module that is not installed (``None``
    in ``sys.modules`` is Python's own "known missing"); an installed one is left alone."""
    for name in names:
        if name not in sys.modules and importlib.util.find_spec(name) is None:
            sys.modules[name] = None  # type: ignore[assignment]


def serve(app: Any, *, host: str, port: int, access_log: bool = True) -> int:
    """Run ``app`` until it is stopped; the exit status of the command."""
    import uvicorn

    _remember_missing(_PROBED)
    # Everything imported and built so far lives as long as the process: out of the
    # collector's sight, a full collection no longer walks it (a pause of tens of ms on a
    # busy core, in the middle of some request).
    gc.collect()
    gc.freeze()

    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="warning",
        access_log=access_log,
        ws="none",  # Rasa pins an old websockets that uvicorn cannot use; no route needs it
    )
    return 0
