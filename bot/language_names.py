"""Language codes (as volunteers' offers store them) as names in the reader's language."""

from __future__ import annotations

import html

from babel import Locale, UnknownLocaleError

from config import i18n, number_texts


def language_name(code: str) -> str:
    """A language's name in the current language ('pl' -> 'Polish' / 'Pwyleg'); else the code.

    Codes come from bot.volunteers.volunteering.language_code; text it could not map is shown as
    typed.
    """
    if code in number_texts.LANGUAGE_NAMES:
        return number_texts.LANGUAGE_NAMES[code]
    try:
        names = Locale.parse(i18n.current()).languages
    except (UnknownLocaleError, ValueError):
        return code
    return names.get(code, code)


def joined(items: list[str]) -> str:
    """'A', 'A and B', 'A, B and C' in the current language."""
    if len(items) <= 1:
        return "".join(items)
    return number_texts.LIST_AND.format(items=", ".join(items[:-1]), last=items[-1])


def language_list(codes: list[str] | tuple[str, ...]) -> str:
    """Language names for codes, escaped and joined ('Welsh, Polish and Urdu')."""
    return joined([html.escape(language_name(code)) for code in codes])
