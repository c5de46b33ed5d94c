"""The handoff notice reads as an agent would write it, in the customer's language."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from helpdesk.tickets import hours

SATURDAY = datetime(2026, 11, 28, 15, 0, tzinfo=timezone.utc)
TUESDAY = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)


def notice(position: int, language: str, now: datetime = TUESDAY) -> str:
    return hours.handoff_notice(
        ticket_id=12,
        position=position,
        language=language,
        now=now,
        business_hours="Mon-Fri 09:00-18:00, Sat 10:00-14:00",
        zone="UTC",
    )


@pytest.mark.parametrize(
    ("position", "language", "expected"),
    [
        (1, "en", "you're next in line."),
        (2, "en", "there is 1 case ahead of yours."),
        (4, "en", "there are 3 cases ahead of yours."),
        (1, "es", "eres el siguiente en la cola."),
        (2, "es", "hay 1 caso antes que el tuyo."),
        (4, "es", "hay 3 casos antes que el tuyo."),
    ],
)
def test_place_in_queue_is_said_in_words(position: int, language: str, expected: str) -> None:
    text = notice(position, language)
    assert expected in text
    assert "(s)" not in text and " 0 " not in text


def test_spanish_out_of_hours_notice_has_no_english_fragments() -> None:
    text = notice(1, "es", now=SATURDAY)
    assert "lunes a viernes de 09:00 a 18:00 y sábado de 10:00 a 14:00" in text
    assert "el lunes a las 09:00" in text
    for english in ("Mon", "Fri", "Sat", "hours"):
        assert english not in text


def test_english_out_of_hours_notice_names_days_in_full() -> None:
    text = notice(3, "en", now=SATURDAY)
    assert "Monday to Friday, 09:00 to 18:00 and Saturday, 10:00 to 14:00" in text
    assert "on Monday at 09:00" in text


def test_no_sentence_repeats_in_the_notice() -> None:
    for language in ("en", "es"):
        text = notice(2, language, now=SATURDAY)
        sentences = [s.strip() for s in text.split(".") if s.strip()]
        assert len(sentences) == len(set(sentences))
