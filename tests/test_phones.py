"""Tests for bot.phones: parsing typed and shared numbers, and showing them back."""

from __future__ import annotations

import random

import pytest

from bot.phones import (
    PhoneProblem,
    PhoneResult,
    format_for_display,
    parse_phone,
    parse_shared_contact,
)


@pytest.mark.parametrize(
    "text",
    [
        "07700 100123",
        "+44 7700 100123",
        "+44 (0)7700 100-123",
        "0044 7700 100123",
        "(07700) 100 123",
        " 07700-100-123 ",
        "０７７００ １００１２３",  # full-width digits
    ],
)
def test_uk_mobile_forms_give_e164(text: str) -> None:
    result = parse_phone(text, "GB")
    assert result == PhoneResult(e164="+447700100123", problem=None)
    assert result.ok


def test_london_landline() -> None:
    assert parse_phone("020 7946 0123", "GB").e164 == "+442079460123"


def test_us_number_with_us_default_region() -> None:
    assert parse_phone("(201) 555-0123", "US").e164 == "+12015550123"
    assert parse_phone("+1 201 555 0123", "GB").e164 == "+12015550123"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12345", PhoneProblem.LOCAL_ONLY),  # possible only as a local number, no area code
        ("7946 0123", PhoneProblem.LOCAL_ONLY),
        ("123", PhoneProblem.TOO_SHORT),
        ("07700 9001234", PhoneProblem.TOO_LONG),
        ("07700 900123", PhoneProblem.INVALID),  # Ofcom drama range: right length, not valid
        ("07700 10012", PhoneProblem.INVALID),
        ("letters", PhoneProblem.NOT_A_NUMBER),
        ("", PhoneProblem.NOT_A_NUMBER),
        ("+", PhoneProblem.NOT_A_NUMBER),
        ("+999 123", PhoneProblem.NOT_A_NUMBER),
        ("0" * 41, PhoneProblem.NOT_A_NUMBER),  # too long to even try
        ("07700 100123" + " " * 29, PhoneProblem.NOT_A_NUMBER),
    ],
)
def test_problems(text: str, expected: PhoneProblem) -> None:
    result = parse_phone(text, "GB")
    assert result == PhoneResult(e164=None, problem=expected)
    assert not result.ok


@pytest.mark.parametrize(
    ("shared", "region", "expected"),
    [
        ("447700100123", "GB", "+447700100123"),
        ("+447700100123", "GB", "+447700100123"),
        ("12015550123", "GB", "+12015550123"),
        ("12015550123", "US", "+12015550123"),
        ("07700100123", "GB", "+447700100123"),  # national form still falls back
        (" 447700100123 ", "GB", "+447700100123"),
    ],
)
def test_shared_contact(shared: str, region: str, expected: str) -> None:
    assert parse_shared_contact(shared, region).e164 == expected


def test_shared_contact_problems_come_from_the_plain_parse() -> None:
    assert parse_shared_contact("447700900123", "GB").problem is PhoneProblem.INVALID
    assert parse_shared_contact("not a phone", "GB").problem is PhoneProblem.NOT_A_NUMBER


@pytest.mark.parametrize(
    ("e164", "shown"),
    [
        ("+447700100123", "07700 100123"),
        ("+442079460123", "020 7946 0123"),
        ("+12015550123", "+1 201-555-0123"),
        ("not a number", "not a number"),
    ],
)
def test_format_for_display(e164: str, shown: str) -> None:
    assert format_for_display(e164) == shown


def test_random_text_never_raises() -> None:
    rng = random.Random(7700100123)
    pieces = ["+", "44", "0", "7700", "1", "(", ")", "-", " ", "x", "ext", "٣", "²", "０"]
    for _ in range(500):
        if rng.random() < 0.5:
            text = "".join(chr(rng.randrange(0x20, 0x30000)) for _ in range(rng.randrange(0, 30)))
        else:
            text = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 12)))
        for result in (parse_phone(text, "GB"), parse_shared_contact(text, "GB")):
            assert result.ok == (result.e164 is not None)
            assert (result.e164 is None) != (result.problem is None)
