"""The fix from the customer's first words, with the real knowledge base."""

from __future__ import annotations

from helpdesk.triage.wordsfirst import fix_from_words


def test_an_error_code_in_the_first_message_gets_its_fix_at_once() -> None:
    decision = fix_from_words(
        use_case="report_software_error",
        text="my app keeps crashing with error 0x80070005 when I update",
        language="en",
    )
    assert decision is not None
    assert "0x80070005" in decision.explanation
    assert "administrator" in decision.fix_text


def test_the_same_code_in_spanish_gets_the_spanish_fix() -> None:
    decision = fix_from_words(
        use_case="report_software_error",
        text="mi app da el error 0x80070005 al actualizar",
        language="es",
    )
    assert decision is not None and "0x80070005" in decision.explanation
    assert "Mencionas" in decision.explanation


def test_symptom_words_alone_still_ask_for_the_media() -> None:
    assert (
        fix_from_words(use_case="report_software_error", text="the app crashes", language="en")
        is None
    )


def test_evidence_flows_keep_their_media_first() -> None:
    assert (
        fix_from_words(
            use_case="report_damaged_product",
            text="error 0x80070005 and the box is crushed",
            language="en",
        )
        is None
    )
