"""PDF documents (pypdfium2): the text layer where there is one, else rendered pages.

Receipts and invoices arrive as PDFs made by banking and shop apps (with text) or by
scanner apps (images only). Only the first pages are read; a password-protected or broken
PDF is refused with advice.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from helpdesk.media import limits
from helpdesk.media.decode import reject

MIN_TEXT_CHARS = 20  # fewer characters than this on the read pages: treat as scanned


@dataclass
class PdfContent:
    pages: int
    text: str  # the text layer of the first pages ("" when scanned)
    images: list[np.ndarray] = field(default_factory=list)  # grey renders when no text


def read_pdf(data: bytes) -> PdfContent:
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        if "password" in str(error).lower():
            raise reject("protected_document", str(error)) from error
        raise reject("corrupt", str(error)) from error
    try:
        pages = len(document)
        if pages == 0:
            raise reject("empty_document", "no pages")
        texts: list[str] = []
        for index in range(min(pages, limits.MAX_PDF_PAGES_TEXT)):
            page = document[index]
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range())
            textpage.close()
            page.close()
        text = "\n".join(t.strip() for t in texts if t.strip())
        if len(text.strip()) >= MIN_TEXT_CHARS:
            return PdfContent(pages, text)
        images = []
        for index in range(min(pages, limits.MAX_PDF_PAGES_OCR)):
            page = document[index]
            width, height = page.get_size()
            scale = limits.PDF_RENDER_LONG_SIDE / max(width, height, 1.0)
            bitmap = page.render(scale=scale, grayscale=True)
            images.append(np.array(bitmap.to_pil().convert("L")))
            page.close()
        return PdfContent(pages, "", images)
    except pdfium.PdfiumError as error:
        raise reject("corrupt", str(error)) from error
    finally:
        document.close()
