"""Renders tests/data/media-synthetic/bank_statement_957x307.png: a web-banking statement
excerpt the size of the screenshot in issue 12 (957x307 pixels), from real text.

The rows are real card payments: merchant, date and total of SROIE receipts in
tests/data/media-dev (CC-BY-4.0, see its SOURCES.md). The picture itself is synthetic
(Pillow, DejaVu Sans at a browser's 15 px): the dev set has no low, wide screenshot and
none could be found under a free licence. Also writes the text drawn, as
``<name>.gt.txt``, which tests compare the OCR against.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "media-synthetic" / "bank_statement_957x307.png"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
ROWS = [  # date, description, amount (SROIE keys of receipts 000, 002, 010, 013, 022, 029)
    ("25/12/2018", "CARD PAYMENT BOOK TA .K (TAMAN DAYA) SDN BHD", "-9.00"),
    ("12/01/2019", "CARD PAYMENT MR D.I.Y. (JOHOR) SDN BHD", "-33.90"),
    ("29/12/2017", "CARD PAYMENT SAM SAM TRADING CO", "-14.10"),
    ("28/12/2017", "CARD PAYMENT RESTORAN HASSANBISTRO", "-15.00"),
    ("25/01/2018", "CARD PAYMENT FUYI MINI MARKET", "-9.00"),
    ("01/03/2018", "CARD PAYMENT C W KHOO HARDWARE SDN BHD", "-21.20"),
]


def main() -> None:
    image = Image.new("RGB", (957, 307), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    face, bold = ImageFont.truetype(FONT, 15), ImageFont.truetype(BOLD, 15)
    title = ImageFont.truetype(BOLD, 18)
    lines = ["Account statement Current account", "Date Description Amount (MYR)"]
    draw.rectangle((0, 0, 957, 44), fill=(0, 70, 127))
    draw.text((20, 12), "Account statement", fill=(255, 255, 255), font=title)
    draw.text((240, 14), "Current account", fill=(210, 225, 240), font=face)
    draw.rectangle((0, 44, 957, 76), fill=(238, 242, 246))
    for x, text in ((20, "Date"), (140, "Description")):
        draw.text((x, 52), text, fill=(60, 60, 60), font=bold)
    header = "Amount (MYR)"
    draw.text((937 - draw.textlength(header, font=bold), 52), header, fill=(60, 60, 60), font=bold)
    for index, (date, description, amount) in enumerate(ROWS):
        y = 84 + index * 37
        if index:
            draw.line((20, y - 6, 937, y - 6), fill=(225, 228, 232))
        draw.text((20, y + 4), date, fill=(30, 30, 30), font=face)
        draw.text((140, y + 4), description, fill=(30, 30, 30), font=face)
        width = draw.textlength(amount, font=face)
        draw.text((937 - width, y + 4), amount, fill=(170, 20, 20), font=face)
        lines.append(f"{date} {description} {amount}")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    image.save(OUT, optimize=True)
    OUT.with_name(OUT.name + ".gt.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
