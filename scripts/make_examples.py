"""Draw the example pictures the bot sends when it asks a customer for a photo.

Run ``.venv/bin/python scripts/make_examples.py`` to regenerate every file in
``assets/examples/``. The script uses Pillow only and is deterministic: the same fonts and
FreeType give the same pixels, so designers can edit a drawing, rerun, and commit.

Why hand-drawn and not photographs: we own every pixel (no real brands, people or licences),
the pictures stay tiny for WhatsApp, and a change of wording is a one-line edit here.
Shapes are drawn at ``SS`` times the size and scaled down with LANCZOS for anti-aliasing
(the palette, fonts, ``Pen`` and shared decorations are in ``scripts/example_drawing.py``).

Each PNG carries a ``FontFingerprint`` text chunk naming the fonts and FreeType version used,
so tests can tell whether this machine can reproduce the committed pixels exactly.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw
from PIL.PngImagePlugin import PngInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.example_drawing import (  # noqa: E402
    BLUE,
    CARD_DARK,
    CARD_FRONT,
    CARD_SIDE,
    CARD_TOP,
    INK,
    LINE,
    MUTED,
    RED,
    WHITE,
    Pen,
    barcode,
    font_fingerprint,
    frame_guide,
    good_badge,
    nav_pill,
    status_bar,
)

OUT_DIR = ROOT / "assets" / "examples"


def draw_damage_photo() -> Image.Image:
    """A shipping box filling the frame with a crushed corner and a torn side."""
    p = Pen(1200, 900)
    p.rect((0, 660, 1200, 900), fill="#E3E8EC")
    p.shadow(lambda d, a: d.ellipse(Pen._s((150, 740, 1080, 880)), fill=a))
    front = [(170, 300), (790, 300), (790, 820), (170, 820)]
    top = [(170, 300), (790, 300), (1010, 165), (390, 165)]
    side = [(790, 300), (1010, 165), (1010, 680), (790, 820)]
    p.poly(front, CARD_FRONT)
    p.poly(top, CARD_TOP)
    p.poly(side, CARD_SIDE)
    p.poly([(450, 300), (510, 300), (730, 165), (670, 165)], "#C9B48F")  # tape on top
    p.poly([(450, 300), (510, 300), (510, 420), (450, 420)], "#C9B48F")  # tape down front
    p.rect((220, 560, 470, 720), fill=WHITE, r=8)  # shipping label
    for i, wl in enumerate((180, 140, 160, 90)):
        p.rect((245, 590 + i * 30, 245 + wl, 602 + i * 30), fill=LINE, r=4)
    # Crushed corner: the front-top edge is pushed in near the right.
    p.poly([(600, 300), (790, 300), (790, 470), (700, 400)], "#B98548")
    p.poly([(600, 300), (790, 300), (850, 262), (700, 280)], "#D2AE78")
    p.line([(600, 300), (700, 400), (790, 470)], fill=CARD_DARK, width=4)
    p.line([(700, 400), (745, 330), (700, 280)], fill=CARD_DARK, width=3)
    p.line([(745, 330), (790, 380)], fill=CARD_DARK, width=3)
    # Torn side: jagged split showing the corrugated inside.
    tear = [(860, 430), (900, 455), (885, 490), (935, 520), (915, 560), (950, 600),
            (925, 610), (890, 575), (905, 540), (860, 510), (875, 475), (845, 450)]  # fmt: skip
    p.poly(tear, "#6E4A26", outline=CARD_DARK, width=3)
    for y in range(460, 600, 18):
        p.line([(880, y), (905, y + 8)], fill="#A47440", width=3)
    p.line([(170, 300), (790, 300), (1010, 165)], fill="#E9CFA4", width=2)
    frame_guide(p)
    good_badge(p)
    return p.finish()


def draw_product_label() -> Image.Image:
    """Straight-on close-up of a rating plate, filling the frame, with a scannable barcode."""
    p = Pen(1200, 800, bg="#4A525C")
    p.rect((60, 60, 1140, 740), fill="#F4F6F8", r=18, outline="#B9C2CC", width=3)
    p.rect((60, 60, 1140, 150), fill="#DCE3EA", r=18)
    p.rect((60, 120, 1140, 150), fill="#DCE3EA")
    p.text((100, 106), "HAIR DRYER   TYPE HD3", 34, "bold", INK, "lm")
    rows = [("MODEL", "HX-2200"), ("S/N", "4C7A19002871"), ("RATED", "230V~ 50Hz  2000W")]
    for i, (key, value) in enumerate(rows):
        y = 215 + i * 78
        p.text((100, y), key, 30, "sans", MUTED, "lm")
        p.text((290, y), value, 44, "mono", INK, "lm")
    p.line([(100, 430), (1100, 430)], fill="#B9C2CC", width=2)
    width = barcode(p, 100, 470, "4C7A19002871", module=3.0, height=150)
    p.text((100 + width / 2, 655), "4C7A19002871", 30, "mono", INK, "mm")
    # Safety symbols: double square (class II) and crossed-out bin (separate collection).
    p.rect((800, 480, 900, 580), outline=INK, width=5)
    p.rect((825, 505, 875, 555), outline=INK, width=5)
    p.poly([(960, 490), (1040, 490), (1030, 585), (970, 585)], outline=INK, width=5)
    p.line([(950, 490), (1050, 490)], fill=INK, width=6)
    p.line([(940, 470), (1060, 605)], fill=INK, width=6)
    p.line([(1060, 470), (940, 605)], fill=INK, width=6)
    p.text((800, 655), "IP24   Made in EU", 28, "sans", MUTED, "lm")
    good_badge(p, x=780, y=200, label="Sharp & straight")
    return p.finish()


def _phone_canvas() -> Pen:
    return Pen(720, 1480, bg="#F7F8FA")


def draw_error_screenshot() -> Image.Image:
    """An app screen with an error dialog, the whole dialog and status bar visible."""
    p = _phone_canvas()
    w = p.size[0]
    p.rect((0, 72, w, 180), fill=WHITE)
    p.text((40, 126), "My Orders", 38, "bold", INK, "lm")
    for i in range(6):  # the list behind the dialog
        y = 210 + i * 180
        p.rect((32, y, w - 32, y + 156), fill=WHITE, r=18)
        p.rect((56, y + 24, 164, y + 132), fill="#DCE3EA", r=14)
        p.rect((190, y + 36, 520, y + 60), fill=LINE, r=8)
        p.rect((190, y + 84, 420, y + 104), fill=LINE, r=8)
    status_bar(p)
    scrim = Image.new("RGB", p.img.size, "#1E2630")
    p.img = Image.blend(p.img, scrim, 0.55)
    p.d = ImageDraw.Draw(p.img)
    status_bar(p, dark_text=WHITE)
    top, bottom = 480, 1010
    p.rect((48, top, w - 48, bottom), fill=WHITE, r=28)
    p.circle(w / 2, top + 100, 48, fill="#FBE3E2")
    p.rect((w / 2 - 5, top + 70, w / 2 + 5, top + 112), fill=RED, r=4)
    p.circle(w / 2, top + 128, 6, fill=RED)
    p.text((w / 2, top + 200), "Something went wrong", 38, "bold", INK, "mm")
    p.text((w / 2, top + 262), "Error 0x80070005", 34, "mono", RED, "mm")
    for i, line in enumerate(("We couldn't load your orders.", "Please try again later.")):
        p.text((w / 2, top + 330 + i * 40), line, 27, "sans", MUTED, "mm")
    p.line([(48, bottom - 104), (w - 48, bottom - 104)], fill=LINE, width=2)
    p.line([(w / 2, bottom - 104), (w / 2, bottom)], fill=LINE, width=2)
    p.text((w / 4 + 24, bottom - 52), "Cancel", 30, "bold", MUTED, "mm")
    p.text((3 * w / 4 - 24, bottom - 52), "Retry", 30, "bold", BLUE, "mm")
    nav_pill(p, color=WHITE)
    return p.finish()


def draw_payment_receipt() -> Image.Image:
    """A payment details screen: amount, date, transaction id and a failed status."""
    p = _phone_canvas()
    w = p.size[0]
    status_bar(p)
    p.line([(58, 126), (40, 144), (58, 162)], fill=INK, width=5)
    p.text((w / 2, 144), "Payment details", 34, "bold", INK, "mm")
    p.rect((32, 210, w - 32, 620), fill=WHITE, r=28)
    p.circle(w / 2, 300, 52, fill="#FBE3E2")
    p.line([(w / 2 - 20, 280), (w / 2 + 20, 320)], fill=RED, width=8)
    p.line([(w / 2 + 20, 280), (w / 2 - 20, 320)], fill=RED, width=8)
    p.text((w / 2, 430), "$ 49.90", 76, "bold", INK, "mm")
    p.rect((w / 2 - 90, 510, w / 2 + 90, 566), fill="#FBE3E2", r=28)
    p.text((w / 2, 538), "Failed", 30, "bold", RED, "mm")
    rows = [
        ("Date", "24 Nov 2026, 14:32"),
        ("Transaction ID", "8412 7763 0921"),
        ("Paid to", "Demo Store"),
        ("Method", "Card ending 5678"),
        ("Reason", "Declined by bank"),
    ]
    p.rect((32, 660, w - 32, 660 + len(rows) * 96 + 16), fill=WHITE, r=28)
    for i, (key, value) in enumerate(rows):
        y = 716 + i * 96
        p.text((64, y), key, 28, "sans", MUTED, "lm")
        p.text((w - 64, y), value, 29, "bold", INK, "rm")
        if i < len(rows) - 1:
            p.line([(64, y + 48), (w - 64, y + 48)], fill=LINE, width=2)
    p.rect((32, 1250, w - 32, 1346), fill=BLUE, r=48)
    p.text((w / 2, 1298), "Try again", 32, "bold", WHITE, "mm")
    p.text((w / 2, 1392), "Get help with this payment", 28, "bold", BLUE, "mm")
    nav_pill(p)
    return p.finish()


def draw_return_item() -> Image.Image:
    """A zip jacket laid flat on a plain background, with space all around it."""
    p = Pen(1200, 900, bg="#F1EEE9")
    navy, navy_dark, navy_light = "#46638A", "#36506F", "#5A79A2"
    body = [(470, 170), (540, 150), (660, 150), (730, 170), (800, 200), (820, 250),
            (830, 760), (370, 760), (380, 250), (400, 200)]  # fmt: skip
    left_sleeve = [(400, 200), (380, 250), (375, 420), (300, 700), (225, 680), (300, 380)]
    right_sleeve = [(800, 200), (820, 250), (825, 420), (900, 700), (975, 680), (900, 380)]
    for shape in (body, left_sleeve, right_sleeve):
        p.shadow(lambda d, a, s=shape: d.polygon(p._pts([(x + 8, y + 14) for x, y in s]), a),
                 blur=12, alpha=60)  # fmt: skip
    p.poly(left_sleeve, navy_light)
    p.poly(right_sleeve, navy_light)
    p.poly([(300, 700), (225, 680), (215, 720), (292, 742)], navy_dark)  # cuffs
    p.poly([(900, 700), (975, 680), (985, 720), (908, 742)], navy_dark)
    p.poly(body, navy)
    p.rect((370, 720, 830, 775), fill=navy_dark, r=6)  # hem
    p.poly([(470, 170), (540, 150), (600, 215), (660, 150), (730, 170), (600, 260)], navy_dark)
    p.line([(600, 235), (600, 770)], fill="#C9CED6", width=5)  # zip
    p.rect((590, 262, 610, 300), fill="#C9CED6", r=4)
    p.line([(440, 520), (480, 620)], fill=navy_dark, width=7)  # pocket welts
    p.line([(760, 520), (720, 620)], fill=navy_dark, width=7)
    p.line([(380, 250), (400, 200), (470, 170)], fill=navy_dark, width=3)
    p.line([(820, 250), (800, 200), (730, 170)], fill=navy_dark, width=3)
    frame_guide(p)
    good_badge(p, label="Whole item visible")
    return p.finish()


def draw_appliance() -> Image.Image:
    """A front-loading washing machine showing error E21 on its display."""
    p = Pen(900, 1200, bg="#E6ECF1")
    p.rect((0, 1010, 900, 1200), fill="#D6DDE3")
    p.shadow(lambda d, a: d.ellipse(Pen._s((150, 990, 750, 1070)), fill=a), blur=14)
    p.rect((170, 1000, 210, 1030), fill="#9AA5B1", r=6)
    p.rect((690, 1000, 730, 1030), fill="#9AA5B1", r=6)
    p.rect((140, 210, 760, 1010), fill=WHITE, r=26, outline="#C3CCD5", width=3)
    p.line([(140, 360), (760, 360)], fill="#C3CCD5", width=3)
    p.rect((170, 245, 330, 325), fill="#F1F4F7", r=10, outline="#C3CCD5", width=2)  # drawer
    p.rect((205, 300, 295, 312), fill="#C3CCD5", r=6)
    p.rect((380, 250, 560, 320), fill="#1F2A36", r=10)  # display
    p.text((470, 286), "E21", 46, "mono", "#FF8A65", "mm")
    p.circle(660, 285, 46, fill="#F1F4F7", outline="#AEB8C3", width=3)  # program knob
    p.rect((655, 245, 665, 275), fill="#7E8A97", r=4)
    for i in range(3):
        p.circle(400 + i * 60, 340, 7, fill="#C3CCD5")
    cx, cy = 450, 670
    p.circle(cx, cy, 250, fill="#D9E0E7", outline="#AEB8C3", width=4)  # door ring
    p.circle(cx, cy, 205, fill="#5C6B7A")
    p.circle(cx, cy, 170, fill="#3C4856")
    p.arc((cx - 150, cy - 150, cx + 150, cy + 150), 200, 260, fill="#8FA0B2", width=10)
    p.rect((cx + 232, cy - 60, cx + 256, cy + 60), fill="#AEB8C3", r=10)  # handle
    frame_guide(p)
    good_badge(p, label="Whole machine + display")
    return p.finish()


def draw_model_label() -> Image.Image:
    """The model plate on the inside of the washing machine's door frame."""
    p = Pen(1200, 900, bg="#F4F6F8")
    p.circle(1180, 470, 560, fill="#D9E0E7")  # the door opening, seen close up
    p.circle(1180, 470, 500, fill="#8C98A5")  # gasket
    p.circle(1180, 470, 440, fill="#3C4856")  # drum
    p.arc((740, 30, 1620, 910), 140, 220, fill="#A5B1BD", width=12)
    p.rect((60, 340, 130, 560), fill="#C3CCD5", r=10)  # hinge side edge
    p.shadow(lambda d, a: d.rectangle(Pen._s((175, 175, 715, 745)), fill=a), blur=8, alpha=50)
    p.rect((160, 160, 700, 730), fill="#E9EDF1", r=12, outline="#AEB8C3", width=3)
    p.text((190, 205), "WASHING MACHINE", 30, "bold", INK, "lm")
    rows = [("Model", "WM8-1400"), ("Serial", "21K4590033")]
    for i, (key, value) in enumerate(rows):
        p.text((190, 270 + i * 64), key, 28, "sans", MUTED, "lm")
        p.text((320, 270 + i * 64), value, 38, "mono", INK, "lm")
    p.text((190, 400), "220-240V~ 50Hz  2100W  10A", 26, "sans", INK, "lm")
    p.text((190, 440), "Capacity 8 kg   1400 rpm", 26, "sans", INK, "lm")
    width = barcode(p, 190, 490, "21K4590033", module=2.5, height=140)
    p.text((190 + width / 2, 665), "21K4590033", 26, "mono", INK, "mm")
    frame_guide(p)
    good_badge(p, label="Label sharp & readable")
    return p.finish()


EXAMPLES: dict[str, Callable[[], Image.Image]] = {
    "damage_photo.png": draw_damage_photo,
    "product_label.png": draw_product_label,
    "error_screenshot.png": draw_error_screenshot,
    "payment_receipt.png": draw_payment_receipt,
    "return_item.png": draw_return_item,
    "appliance.png": draw_appliance,
    "model_label.png": draw_model_label,
}


def save(image: Image.Image, path: Path) -> None:
    info = PngInfo()
    info.add_text("Software", "scripts/make_examples.py")
    info.add_text("FontFingerprint", font_fingerprint())
    image.save(path, "PNG", optimize=True, pnginfo=info)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output folder")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for name, draw in EXAMPLES.items():
        path = args.out / name
        save(draw(), path)
        print(f"{path}  {path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
