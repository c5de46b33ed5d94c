"""Serving one of the product's ASGI apps (ingest, worker, console, sandbox) with uvicorn."""

from __future__ import annotations

import gc
from typing import Any


def serve(app: Any, *, host: str, port: int, access_log: bool = True) -> int:
    """Run ``app`` until it is stopped; the exit status of the command."""
    import uvicorn

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
