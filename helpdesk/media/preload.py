"""Imported by the analysis fork server only (``isolation.PRELOAD``): loads the Tesseract
engine there, idle, so that every child forked for a file starts with the English and
Spanish models in memory instead of loading them again (about 0.3 s of CPU per file on the
2-core dev machine; see bench/bench_media.py); and PP-OCR's onnxruntime sessions likewise
(helpdesk/media/ppocr_models.py; not when HELPDESK_OCR_ENGINE is ``tesseract``).

This is the one module in the package whose import does work, because the fork server's
preload list (``multiprocessing``'s ``set_forkserver_preload``) takes module names only. No
other module imports it. The fork server is single-threaded, so no read is ever in progress
when it forks a child (helpdesk/media/engine.py keeps engines only across such forks).
"""

from __future__ import annotations

import logging
import os

from helpdesk.media import engine, ppocr_models
from helpdesk.media.tesseract import LANGUAGES
from helpdesk.settings import get_settings

log = logging.getLogger(__name__)

# The engine's OpenMP reads its thread limit once, when libtesseract loads, which is now
# in this process and no longer in each child (see helpdesk/media/ocr.py for why 1).
os.environ["OMP_THREAD_LIMIT"] = "1"
try:
    engine.warm(LANGUAGES)
except Exception:  # children then load their own engine, as before; the server must start
    log.exception("the Tesseract engine could not be loaded in the analysis fork server")
try:
    # the three sessions and the dictionary: about 0.4 s of CPU a child would pay per file
    if get_settings().ocr_engine != "tesseract" and ppocr_models.available():
        ppocr_models.warm()
except Exception:  # children then load their own sessions on first use
    log.exception("PP-OCR's models could not be loaded in the analysis fork server")
