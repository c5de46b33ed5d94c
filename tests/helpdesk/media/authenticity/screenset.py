"""Look-alike app screens for the reuse evaluation: one made-up bank app's "payment sent"
screen, filled with real payments.

The content is real: the merchant, date and total of each SROIE receipt in
tests/data/media-dev (CC-BY-4.0, see its SOURCES.md). The screen is synthetic (Pillow,
DejaVu Sans, a phone's 1080x2340): no free-licence set of banking screenshots could be
found, so this is an edge case of the evaluation, not real-data figures. Every screen shares
the app's frame (bars, tick, labels, button); only the payment differs, which is what two
honest customers of a popular bank app send.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

from tests.helpdesk.media.authenticity.evalset import _font

MEDIA_DEV = Path(__file__).resolve().parents[3] / "data" / "media-dev"


@dataclass(frozen=True)
class Payment:
    name: str
    merchant: str
    date: str
    total: str
    reference: str


def payments(split: str) -> list[Payment]:
    """The payments of one half (``dev`` or ``test``, by a hash of the receipt's name)."""
    found = []
    for path in sorted(MEDIA_DEV.glob("*.key.json")):
        name = path.name.removesuffix(".key.json")
        digest = hashlib.sha256(name.encode()).digest()
        if ("dev" if digest[0] % 2 == 0 else "test") != split:
            continue
        key = json.loads(path.read_text(encoding="utf-8"))
        total = key["total"].removeprefix("RM")
        # A transaction id as banks print them: made up, one per payment.
        reference = "TRX" + str(int.from_bytes(digest[1:7], "big"))[:12]
        found.append(Payment(name, key["company"][:30], key["date"], total, reference))
    return found


def payment_screen(payment: Payment) -> Image.Image:
    canvas = Image.new("RGB", (1080, 2340), (245, 247, 250))
    draw = ImageDraw.Draw(canvas)
    draw.rectangle((0, 0, 1080, 90), fill=(255, 255, 255))
    draw.text((40, 22), "09:41", fill=(20, 20, 20), font=_font(40))
    draw.rectangle((0, 90, 1080, 250), fill=(0, 87, 163))
    draw.text((60, 140), "MyBank", fill=(255, 255, 255), font=_font(60))
    draw.ellipse((440, 360, 640, 560), fill=(40, 167, 69))
    draw.line((490, 460, 530, 505, 600, 415), fill=(255, 255, 255), width=18)
    draw.text((310, 610), "Payment sent", fill=(20, 20, 20), font=_font(76))
    amount = f"RM {payment.total}"
    width = draw.textlength(amount, font=_font(110))
    draw.text(((1080 - width) / 2, 740), amount, fill=(20, 20, 20), font=_font(110))
    draw.rounded_rectangle((50, 960, 1030, 1600), 30, fill=(255, 255, 255))
    rows = (
        ("To", payment.merchant),
        ("Date", payment.date),
        ("Reference", payment.reference),
        ("From", "Current account ****4821"),
    )
    for index, (label, value) in enumerate(rows):
        y = 1000 + index * 150
        draw.text((90, y), label, fill=(110, 110, 110), font=_font(40))
        draw.text((90, y + 52), value, fill=(20, 20, 20), font=_font(44))
    draw.rounded_rectangle((90, 2060, 990, 2200), 70, fill=(0, 87, 163))
    draw.text((480, 2100), "Done", fill=(255, 255, 255), font=_font(52))
    return canvas
