"""Camera pictures read by PP-OCR (helpdesk/media/ppocr.py): what a customer's photo of a
receipt says, whichever way up it was taken, with the amount's box where the amount is."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw

from helpdesk.media import analyze, isolation, ocr, orientation, ppocr, ppocr_models
from helpdesk.media.tesseract import rotate
from tests.helpdesk.media.conftest import draw_text, font, photographed
from tests.helpdesk.media.real_pages import grey

pytestmark = pytest.mark.skipif(not ppocr_models.available(), reason="PP-OCR models missing")

RECEIPT = [
    "CORNER SHOP",
    "12/03/2024 18:42",
    "Bread 2.40",
    "Milk 1.15",
    "TOTAL 3.55",
    "CASH 5.00",
    "CHANGE 1.45",
]


def _grey(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("L"))


@pytest.fixture(scope="module")
def receipt_photo() -> bytes:
    return photographed(draw_text(RECEIPT, size=(1000, 1300), font_size=52), seed=4)


def test_a_photographed_receipt_reads_right_and_its_total_points_at_the_amount(
    receipt_photo: bytes,
) -> None:
    result = analyze(receipt_photo, purpose="receipt")
    assert result.metrics["ocr_engine"] == "ppocr"
    assert result.ocr is not None
    assert result.ocr.text.split("\n") == RECEIPT
    total = next(f for f in result.fields if f.type == "total")
    assert total.value == "3.55"
    # "TOTAL 3.55" is the fifth line, drawn from x=90 at 52 px: the amount's box sits right
    # of the word TOTAL, one line high, in the photo's pixels, inside the total's box
    amount = next(f for f in result.fields if f.type == "amount" and f.value == "3.55")
    x, y, w, h = amount.where["box"]
    line_top = 90 + 4 * int(52 * 1.6)
    assert 250 < x < 400 and x + w < 480
    assert line_top - 40 < y < line_top + 30 and 30 < h < 90
    tx, ty, tw, th = total.where["box"]
    assert tx <= x and x + w <= tx + tw and ty <= y + h // 2 <= ty + th
    ink = _grey(receipt_photo)[y : y + h, x : x + w]
    assert ink.min() < 100 and ink.mean() < _grey(receipt_photo)[y : y + h, 650:900].mean()
    assert next(f for f in result.fields if f.type == "date").value == "2024-03-12"


@pytest.mark.parametrize("degrees", [90, 180, 270])
def test_a_receipt_photographed_turned_reads_the_same(receipt_photo: bytes, degrees: int) -> None:
    upright = ppocr.read_text(_grey(receipt_photo))
    turned = ppocr.read_text(rotate(_grey(receipt_photo), degrees))
    assert turned.text == upright.text
    assert turned.rotation == (360 - degrees) % 360
    # the boxes are on the turned picture as the customer sent it: the total's amount is
    # still under the same ink
    amount = next(w for w in turned.words if w.text == "3.55")
    x, y, w, h = amount.box
    patch = rotate(_grey(receipt_photo), degrees)[y : y + h, x : x + w]
    assert patch.size and patch.min() < 100  # ink under the box


def test_a_blank_picture_gives_no_text() -> None:
    for blank in (np.full((600, 800), 235, np.uint8), np.zeros((1, 1), np.uint8)):
        result = ppocr.read_text(blank)
        assert result.text == "" and result.words == []


def test_spanish_accents_and_the_euro_sign_survive() -> None:
    lines = ["¿Cuál es su pedido?", "Año 2024, señor Muñoz", "Importe total: 45,90 €"]
    photo = photographed(draw_text(lines, size=(1300, 500), font_name="DejaVuSans.ttf"), seed=2)
    result = ppocr.read_text(_grey(photo))
    assert result.text.split("\n") == lines
    assert result.language == "es"


def test_screenshots_stay_with_tesseract(receipt_photo: bytes) -> None:
    screen = io.BytesIO()
    draw_text(["Payment failed", "Transaction ID TXN8A23F90B12"], size=(1080, 900)).save(
        screen, "PNG"
    )
    result = analyze(screen.getvalue(), purpose="screenshot")
    assert result.metrics["ocr_engine"] == "tesseract"
    assert "TXN8A23F90B12" in result.ocr.text


def test_the_tesseract_setting_reads_camera_pictures_with_tesseract(
    receipt_photo: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    from helpdesk.settings import get_settings

    monkeypatch.setenv("HELPDESK_OCR_ENGINE", "tesseract")
    get_settings.cache_clear()
    result = analyze(receipt_photo, purpose="receipt")
    assert result.metrics["ocr_engine"] == "tesseract"
    assert result.ocr is not None and result.ocr.source == "tesseract"
    assert "TOTAL" in result.ocr.text


def _read_in_child(data: bytes) -> tuple[dict, int]:
    """In the child: the analysis, and how many PP-OCR sessions the child held before it
    read (3 when it inherited the fork server's)."""
    held = ppocr_models.loaded()
    return analyze(data, purpose="receipt").to_dict(), held


def test_a_child_reads_with_the_fork_servers_models_as_this_process_does(
    receipt_photo: bytes,
) -> None:
    # Under the child's address-space limit (isolation.DEFAULT_MEMORY_MB), with the sessions
    # the fork server loaded before forking: the same text, fields and boxes as here.
    here = analyze(receipt_photo, purpose="receipt").to_dict()
    there, held = isolation.run_isolated(_read_in_child, receipt_photo)
    assert held == 3
    assert there["ocr"] == here["ocr"]
    assert there["fields"] == here["fields"]


PRINT = (
    "Before you call us, check that the appliance is plugged in and that the fuse in the "
    "plug has not blown. Most faults clear when the machine is switched off at the wall "
    "for one minute and then switched on again. Keep this page with your receipt."
).split()


def test_a_photographed_page_of_print_is_read_by_tesseract() -> None:
    # A page of small print (a manual, a contract, an invoice's terms) holds three times the
    # letters of a long receipt: Tesseract reads it, and reads it word for word.
    lines = [" ".join(PRINT[(i * 5) % 30 :][:11]) for i in range(44)]
    page = photographed(
        draw_text(lines, size=(1700, 2300), font_name="DejaVuSerif.ttf", font_size=30, top=60),
        seed=3,
    )
    lines_seen = orientation.find_lines(_grey(page))
    assert lines_seen is not None and lines_seen.letters >= ocr.DENSE_PAGE_LETTERS
    result = analyze(page, purpose="any")
    assert result.metrics["ocr_engine"] == "tesseract"
    read = result.ocr.text.split("\n")
    assert sum(line in read for line in lines) >= 0.9 * len(lines)


def test_a_receipt_has_far_fewer_letters_than_a_page_of_print(receipt_photo: bytes) -> None:
    lines_seen = orientation.find_lines(_grey(receipt_photo))
    assert lines_seen is not None
    assert 40 <= lines_seen.letters < ocr.DENSE_PAGE_LETTERS / 4


def test_a_receipt_photographed_askew_keeps_each_price_on_its_line() -> None:
    # Prices printed far right of their labels, the slip turned a few degrees: at the right
    # edge each price sits as low as the next line's label, and is still read on its own line.
    items = [("Sub Total RM", "15.00"), ("Discount RM", "0.00"), ("GST 6% RM", "0.90")]
    items += [("Rounding RM", "0.05"), ("Total RM", "15.95"), ("Cash RM", "20.00")]
    slip = Image.new("RGB", (1100, 700), (236, 233, 226))
    draw = ImageDraw.Draw(slip)
    face = font("DejaVuSans-Bold.ttf", 40)
    for number, (label, price) in enumerate(items):
        y = 80 + number * 90
        draw.text((60, y), label, fill=(25, 25, 30), font=face)
        draw.text(
            (1040 - draw.textlength(price, font=face), y), price, fill=(25, 25, 30), font=face
        )
    askew = slip.rotate(-4, expand=True, fillcolor=(236, 233, 226), resample=Image.BICUBIC)
    result = ppocr.read_text(_grey(photographed(askew, seed=5, perspective=0.0)))
    assert result.text.split("\n") == [f"{label} {price}" for label, price in items]


@pytest.mark.parametrize("degrees", [90, 270])
def test_a_few_large_words_turned_a_quarter_read_in_their_order(degrees: int) -> None:
    # "Kodak Capture / Desktop Test" (tests/data/media-pages): too few letters for
    # orientation.find_lines, so the detector's tall line boxes say the lines run down;
    # before, the words were read right but in the page's unturned rows, "Desktop Kodak
    # Capture / Test"
    page = grey("kcs.pdf")
    assert orientation.find_lines(page) is None
    upright = ppocr.read_text(page)
    assert upright.text.split() == ["Kodak", "Capture", "Desktop", "Test"]
    turned = ppocr.read_text(rotate(page, degrees))
    assert turned.text == upright.text
    assert turned.rotation in (90, 270)
