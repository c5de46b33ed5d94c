"""One spelling per code and per phrase, however customers and OCR write them."""

from __future__ import annotations

import pytest

from helpdesk.kb.text import code_is_ambiguous, fold, normalize_code, normalize_model


@pytest.mark.parametrize(
    ("written", "same_as"),
    [
        ("0X80070005", "0x80070005"),
        ("80070005", "0x80070005"),
        ("Ox80070005", "0x80070005"),  # OCR reads the zero as a letter O
        ("0x 8007 0005", "0x80070005"),
        ("E-21", "E21"),
        ("e 21", "E21"),
        ("NET::ERR_CERT_DATE_INVALID", "ERR_CERT_DATE_INVALID"),
        ("err_name_not_resolved", "ERR_NAME_NOT_RESOLVED"),
        ("HTTP 500", "http-500"),
    ],
)
def test_codes_written_differently_compare_equal(written: str, same_as: str) -> None:
    assert normalize_code(written) == normalize_code(same_as)


def test_different_codes_stay_different() -> None:
    assert normalize_code("0x80070005") != normalize_code("0x80070057")
    assert normalize_code("E21") != normalize_code("E210")
    assert normalize_code("05") != normalize_code("5")


def test_short_codes_are_ambiguous_and_long_ones_are_not() -> None:
    assert all(code_is_ambiguous(normalize_code(c)) for c in ("05", "51", "UE", "4C", "500"))
    assert not any(code_is_ambiguous(normalize_code(c)) for c in ("E21", "U30", "0x80070005"))


def test_folding_removes_case_and_accents() -> None:
    assert fold("Código PANTALLA Desagüe") == "codigo pantalla desague"
    assert normalize_model("ww90-t534 daw") == "WW90T534DAW"
