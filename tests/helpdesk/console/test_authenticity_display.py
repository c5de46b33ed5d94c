"""The agent sees a reused photo's signal on the ticket, with both pictures side by side."""

from __future__ import annotations

import io
import re

from PIL import Image

from tests.helpdesk.console.conftest import Stack, hand_off, store_customer_media

PHOTO = "tests/data/authenticity/sharp_skimage_chelsea.jpg"


def _photo(quality: int) -> bytes:
    with Image.open(PHOTO) as image:
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def test_ticket_page_shows_the_reuse_signal_and_the_earlier_picture(stack: Stack) -> None:
    first = store_customer_media(stack.database_url, "34600000011", _photo(92), purpose="photo")
    second = store_customer_media(stack.database_url, "34600000022", _photo(60), purpose="photo")
    ticket = hand_off(stack.database_url, "34600000022", media_ids=[second])
    clean = hand_off(stack.database_url, "34600000011", media_ids=[first])
    stack.agent()
    client = stack.sign_in()
    page = client.get(f"/tickets/{ticket}").text
    assert "Authenticity signals" in page and "reused other customer" in page
    assert f'src="/media/{first}"' in page and f'src="/media/{second}"' in page
    assert "the customer is not told" in page
    assert "Authenticity signals" not in client.get(f"/tickets/{clean}").text


def test_metrics_count_the_cases_signals_by_kind_and_strength(stack: Stack) -> None:
    import httpx

    first = store_customer_media(stack.database_url, "34600000033", _photo(92), purpose="photo")
    second = store_customer_media(stack.database_url, "34600000044", _photo(60), purpose="photo")
    hand_off(stack.database_url, "34600000033", media_ids=[first])
    hand_off(stack.database_url, "34600000044", media_ids=[second])
    auth = {"Authorization": "Bearer metrics-token"}
    text = httpx.get(f"{stack.url}/metrics", headers=auth).text
    # One count for the dashboard and /metrics (helpdesk.reporting.signals), by use case.
    found = re.findall(
        r'^helpdesk_authenticity_signals\{severity="strong",signal="reused_other_customer",'
        r'use_case="[^"]+"\} ([\d.]+)$',
        text,
        re.M,
    )
    assert found == ["1.0"]  # the second case only: the first one had nothing earlier
    assert "helpdesk_authenticity_signals_total" not in text


def test_ticket_page_marks_the_region_of_an_edited_amount(stack: Stack) -> None:
    from tests.helpdesk.media.authenticity.editset import edited

    copy = next(e for e in edited() if e.edit == "bigger")
    media = store_customer_media(stack.database_url, "34600000055", copy.data, purpose="receipt")
    ticket = hand_off(stack.database_url, "34600000055", media_ids=[media])
    stack.agent()
    page = stack.sign_in().get(f"/tickets/{ticket}").text
    assert "text inconsistent" in page
    assert 'class="region"' in page and f'src="/media/{media}"' in page
    left = re.search(r'class="region"[^>]*left:([\d.]+)%', page)
    assert left and abs(float(left.group(1)) - copy.box[0] * 100) < 5  # on the new amount


def test_ticket_page_shows_an_edited_copy_beside_the_earlier_picture_with_both_marked(
    stack: Stack,
) -> None:
    import dataclasses

    from tests.helpdesk.media.authenticity.copyset import png_bytes, resent
    from tests.helpdesk.media.authenticity.screenset import payment_screen, payments

    payment = payments("dev")[0]
    earlier = store_customer_media(
        stack.database_url, "34600000061", png_bytes(payment_screen(payment)), purpose="receipt"
    )
    edited = dataclasses.replace(payment, total="1" + payment.total)
    media = store_customer_media(
        stack.database_url, "34600000062", resent(payment_screen(edited)), purpose="receipt"
    )
    ticket = hand_off(stack.database_url, "34600000062", media_ids=[media])
    stack.agent()
    page = stack.sign_in().get(f"/tickets/{ticket}").text
    assert "edited copy" in page
    assert f'src="/media/{media}"' in page and f'src="/media/{earlier}"' in page
    assert page.count('class="region"') == 2  # the amount, on each picture
    assert f"<td>RM 1{payment.total}</td><td>RM {payment.total}</td>" in page
