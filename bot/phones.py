"""Phone numbers: parse what people type or share into E.164, and show them back nicely."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, ValidationResult

MAX_TEXT_LENGTH = 40
_DOMESTIC_COUNTRY_CODE = 44  # the +44 plan: Great Britain and the Crown Dependencies


class PhoneProblem(StrEnum):
    """Why some text was not accepted as a phone number."""

    NOT_A_NUMBER = "not_a_number"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    INVALID_LENGTH = "invalid_length"
    INVALID = "invalid"
    LOCAL_ONLY = "local_only"


@dataclass(frozen=True)
class PhoneResult:
    """A parsed number in E.164 form, or the problem that stopped it."""

    e164: str | None
    problem: PhoneProblem | None

    @property
    def ok(self) -> bool:
        """Whether the text gave a usable number."""
        return self.e164 is not None and self.problem is None


_REASONS: dict[int, PhoneProblem] = {
    ValidationResult.IS_POSSIBLE_LOCAL_ONLY: PhoneProblem.LOCAL_ONLY,
    ValidationResult.TOO_SHORT: PhoneProblem.TOO_SHORT,
    ValidationResult.TOO_LONG: PhoneProblem.TOO_LONG,
    ValidationResult.INVALID_LENGTH: PhoneProblem.INVALID_LENGTH,
    ValidationResult.INVALID_COUNTRY_CODE: PhoneProblem.INVALID,
}


def _failed(problem: PhoneProblem) -> PhoneResult:
    return PhoneResult(e164=None, problem=problem)


def parse_phone(text: str, default_region: str) -> PhoneResult:
    """Parse typed text into an E.164 number, reading national numbers in default_region.

    Text longer than MAX_TEXT_LENGTH characters is refused unparsed as NOT_A_NUMBER.
    Numbers that could only be dialled locally (no area code) are LOCAL_ONLY; numbers of a
    possible length that belong to no allocated range (such as Ofcom's drama numbers) are
    INVALID.
    """
    if len(text) > MAX_TEXT_LENGTH:
        return _failed(PhoneProblem.NOT_A_NUMBER)
    try:
        number = phonenumbers.parse(text, default_region)
    except NumberParseException:
        return _failed(PhoneProblem.NOT_A_NUMBER)
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason != ValidationResult.IS_POSSIBLE:
        return _failed(_REASONS.get(reason, PhoneProblem.INVALID))
    if not phonenumbers.is_valid_number(number):
        return _failed(PhoneProblem.INVALID)
    return PhoneResult(
        e164=phonenumbers.format_number(number, PhoneNumberFormat.E164), problem=None
    )


def parse_shared_contact(phone_number: str, default_region: str) -> PhoneResult:
    """Parse a number from Telegram's contact button, which may arrive without its '+'.

    An all-digit string is tried as an international number first ("447700100123"), and
    only if that fails is it read as typed text in default_region.
    """
    stripped = phone_number.strip()
    if stripped.isdecimal() and len(stripped) < MAX_TEXT_LENGTH:
        international = parse_phone("+" + stripped, default_region)
        if international.ok:
            return international
    return parse_phone(stripped, default_region)


def format_for_display(e164: str) -> str:
    """Show a stored number: national format within +44 ("07700 100123"), else international.

    Text that does not parse as a number is returned unchanged.
    """
    try:
        number = phonenumbers.parse(e164, None)
    except NumberParseException:
        return e164
    if number.country_code == _DOMESTIC_COUNTRY_CODE:
        return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
