"""Languages: English source texts, looked up in gettext catalogs that Babel compiles at install.

Every text constant in config/*_texts.py is marked with N_() for extraction. Reading one
(`t.ALERT`) returns it in the language of whoever the bot is talking to, which is set per update
and per recipient with `speaking()`. Catalogs live in config/locale/<code>/LC_MESSAGES/.
"""

from __future__ import annotations

import gettext as stdlib_gettext
import io
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

SOURCE_LANGUAGE = "en"
# Code -> the language's own name, as shown by /language.
LANGUAGES: dict[str, str] = {"en": "English", "cy": "Cymraeg"}
LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "messages"

_current: ContextVar[str] = ContextVar("language", default=SOURCE_LANGUAGE)
log = logging.getLogger(__name__)


class CatalogMissing(RuntimeError):
    """A shipped language's catalog is missing (neither a compiled .mo nor its .po)."""


def N_(text: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    """Mark a text for extraction; it is translated when read, in the reader's language."""
    return text


@dataclass(frozen=True)
class Plural:
    """A text that takes a count: English singular and plural; the catalogs hold every form.

    Welsh has six forms (zero, one, two, few, many, other); the catalog's Plural-Forms header
    (Babel's rules for the language) picks one for the count. Calling it renders the form for
    `count` in the current language, with `{count}` and any other fields filled in.
    """

    singular: str
    plural: str

    def __call__(self, count: int, **fields: object) -> str:
        """The form for `count` in the current language, formatted."""
        return ngettext(self.singular, self.plural, count).format(count=count, **fields)


def NP_(singular: str, plural: str) -> Plural:  # noqa: N802 - a marker, like N_
    """Mark a text with a count for extraction (pybabel extract -k NP_:1,2)."""
    return Plural(singular, plural)


def supported(code: str | None) -> str | None:
    """The shipped language for a Telegram language_code ('cy-GB' -> 'cy'), or None."""
    if not code:
        return None
    base = code.replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else None


@cache
def catalog(language: str) -> stdlib_gettext.NullTranslations:
    """The catalog of a shipped language (the source language needs none)."""
    if language == SOURCE_LANGUAGE:
        return stdlib_gettext.NullTranslations()
    return load_catalog(language, LOCALE_DIR)


def load_catalog(language: str, locale_dir: Path) -> stdlib_gettext.GNUTranslations:
    """The compiled .mo when it is at least as new as the .po, else the .po compiled in memory.

    An install compiles the .mo (setup.py); a checkout run with `python -m bot` may shadow the
    installed package and have only the .po, which is the source of truth. Compiling it here,
    in memory, never writes into the source tree and can never serve a stale translation.
    """
    folder = locale_dir / language / "LC_MESSAGES"
    po_path, mo_path = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if mo_path.is_file() and (
        not po_path.is_file() or mo_path.stat().st_mtime >= po_path.stat().st_mtime
    ):
        with mo_path.open("rb") as compiled:
            return stdlib_gettext.GNUTranslations(compiled)
    if not po_path.is_file():
        raise CatalogMissing(
            f"The {LANGUAGES.get(language, language)} catalog is missing: neither "
            f"{mo_path} nor {po_path} exists. Reinstall the project (pip install .)."
        )
    with po_path.open("rb") as source:
        messages = read_po(source, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, messages, use_fuzzy=False)
    buffer.seek(0)
    log.debug("compiled the %s catalog from %s in memory", language, po_path)
    return stdlib_gettext.GNUTranslations(buffer)


def load_catalogs() -> None:
    """Load every shipped catalog now, so that a missing one stops start-up, not a reply."""
    for language in LANGUAGES:
        catalog(language)


def current() -> str:
    """The language of whoever the bot is talking to now."""
    return _current.get()


def use(language: str) -> None:
    """Speak `language` for the rest of this update's handling."""
    _current.set(language if language in LANGUAGES else SOURCE_LANGUAGE)


@contextmanager
def speaking(language: str | None) -> Iterator[None]:
    """Speak `language` (the source language when None or not shipped) inside the block."""
    token = _current.set(language if language in LANGUAGES else SOURCE_LANGUAGE)
    try:
        yield
    finally:
        _current.reset(token)


def gettext(text: str, language: str | None = None) -> str:
    """`text` in `language` (default: the current one)."""
    language = language or _current.get()
    if language == SOURCE_LANGUAGE or not text:  # gettext("") is the catalog's header
        return text
    return catalog(language).gettext(text)


def ngettext(singular: str, plural: str, count: int, language: str | None = None) -> str:
    """The form of a counted text for `count` in `language` (default: the current one)."""
    language = language or _current.get()
    if language == SOURCE_LANGUAGE:
        return singular if count == 1 else plural
    return catalog(language).ngettext(singular, plural, count)


def translate(value: Any, language: str | None = None) -> Any:
    """A text constant (a string, or strings inside tuples, lists and dict values) translated."""
    if isinstance(value, str):
        return gettext(value, language)
    if isinstance(value, tuple):
        return tuple(translate(item, language) for item in value)
    if isinstance(value, list):
        return [translate(item, language) for item in value]
    if isinstance(value, dict):
        return {key: translate(item, language) for key, item in value.items()}
    return value


def in_every_language(text: str) -> frozenset[str]:
    """A text as it reads in each shipped language (to recognise a pressed reply button)."""
    return frozenset(gettext(text, language) for language in LANGUAGES)


class _TranslatedTexts(ModuleType):
    """A text module whose UPPER_CASE constants read in the current language."""

    def __getattribute__(self, name: str) -> Any:
        value = super().__getattribute__(name)
        if not name.isupper() or _current.get() == SOURCE_LANGUAGE:
            return value
        if name.endswith("_COMMANDS"):  # (command, description): a command name is not text
            return tuple((command, gettext(description)) for command, description in value)
        return translate(value)


def translate_module(name: str) -> None:
    """Make the constants of text module `name` read in the current language."""
    sys.modules[name].__class__ = _TranslatedTexts


# Dates and times: Babel's CLDR data names days and months in each language.
_DAY_AT_TIME = N_("{day} at {time}")


def day(moment: date | datetime) -> str:
    """A short day in the current language: 'Mon 30 Nov' / 'Llun 30 Tach'."""
    return format_date(moment, "EEE d MMM", locale=_current.get())


def day_with_year(moment: date | datetime) -> str:
    """A short day with the year: 'Mon 30 Nov 2026'."""
    return format_date(moment, "EEE d MMM y", locale=_current.get())


def day_at_time(moment: datetime, *, year: bool = False) -> str:
    """A day and a 24-hour time: 'Mon 30 Nov at 14:00' / 'Llun 30 Tach am 14:00'."""
    shown = day_with_year(moment) if year else day(moment)
    return gettext(_DAY_AT_TIME).format(day=shown, time=f"{moment:%H:%M}")
