"""Outbound bodies stay within Meta's limits without losing what the designer wrote."""

from __future__ import annotations

from helpdesk.whatsapp import payloads
from helpdesk.whatsapp.payloads import Choice


def test_long_text_is_split_at_paragraphs_and_sentences_and_nothing_is_lost() -> None:
    paragraph = "First check the cable. Then restart the router and wait two minutes. " * 40
    text = "\n\n".join([paragraph.strip()] * 3)
    parts = payloads.split_text(text)
    assert len(parts) > 1
    assert all(len(p) <= payloads.MAX_TEXT for p in parts)
    # every part ends at a sentence end, and the words all arrive in order
    assert all(p.rstrip().endswith(".") for p in parts)
    assert " ".join(" ".join(parts).split()) == " ".join(text.split())


def test_a_single_huge_word_is_still_cut_to_the_limit() -> None:
    parts = payloads.split_text("x" * 9000)
    assert [len(p) for p in parts] == [4096, 4096, 808]


def test_short_text_is_one_message_with_meta_envelope() -> None:
    [body] = payloads.text_messages("15551234567", "hello")
    assert body == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "15551234567",
        "type": "text",
        "text": {"body": "hello", "preview_url": False},
    }


def test_long_button_titles_are_shortened_and_the_full_wording_kept_in_the_body() -> None:
    choices = [Choice("/affirm", "Yes"), Choice("/human", "I want to talk to a person")]
    body = payloads.reply_buttons("1", "Did it work?", choices)
    buttons = body["interactive"]["action"]["buttons"]
    titles = [b["reply"]["title"] for b in buttons]
    assert all(len(t) <= payloads.MAX_BUTTON_TITLE for t in titles)
    assert titles[1].endswith("…")
    assert "I want to talk to a person" in body["interactive"]["body"]["text"]
    assert [b["reply"]["id"] for b in buttons] == ["/affirm", "/human"]


def test_list_rows_respect_title_and_description_limits() -> None:
    choices = [Choice(f"/c{i}", f"A rather long option title number {i}") for i in range(10)]
    body = payloads.list_message("1", "Pick", choices, button="Options")
    rows = body["interactive"]["action"]["sections"][0]["rows"]
    assert len(rows) == 10
    assert all(len(r["title"]) <= 24 and len(r["description"]) <= 72 for r in rows)
    assert rows[3]["description"] == "A rather long option title number 3"


def test_numbered_text_lists_every_choice() -> None:
    text = payloads.numbered_text("Pick", [Choice(str(i), f"Item {i}") for i in range(12)])
    assert "1. Item 0" in text and "12. Item 11" in text


def test_caption_over_1024_moves_to_a_following_text() -> None:
    bodies = payloads.media_message("1", "image", media_id="55", caption="c" * 1500)
    assert "caption" not in bodies[0]["image"]
    assert bodies[1]["text"]["body"] == "c" * 1500


def test_mark_read_carries_the_typing_indicator() -> None:
    assert payloads.mark_read("wamid.1") == {
        "messaging_product": "whatsapp",
        "status": "read",
        "message_id": "wamid.1",
        "typing_indicator": {"type": "text"},
    }
