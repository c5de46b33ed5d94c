"""Barcodes and QR codes (zbar through pyzbar) on labels, receipts and boxes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Barcode:
    format: str  # zbar's symbology name: QRCODE, EAN13, CODE128, ...
    value: str
    box: tuple[int, int, int, int]

    def to_dict(self) -> dict[str, str]:
        return {"format": self.format, "value": self.value}


def read_barcodes(grey: np.ndarray) -> list[Barcode]:
    """Every code zbar finds; a half-size pass too, since zbar misses codes whose bars are
    many pixels wide or blurred at full size. zbar checks each symbology's check digits."""
    import cv2
    from pyzbar import pyzbar

    found: dict[tuple[str, str], Barcode] = {}
    passes = [(grey, 1.0)]
    if max(grey.shape) > 800:
        half = cv2.resize(grey, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
        passes.append((half, 2.0))
    for image, scale in passes:
        for symbol in pyzbar.decode(np.ascontiguousarray(image)):
            value = symbol.data.decode("utf-8", "replace")
            key = (symbol.type, value)
            if key not in found:
                r = symbol.rect
                box = (int(r.left * scale), int(r.top * scale), int(r.width * scale),
                       int(r.height * scale))  # fmt: skip
                found[key] = Barcode(symbol.type, value, box)
        if found:
            break
    return list(found.values())
