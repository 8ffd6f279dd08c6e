"""The gettext catalogs: every text translated in each shipped language, placeholders intact."""

from __future__ import annotations

import os
import re
import string
from collections import Counter
from collections.abc import Iterator
from functools import cache
from importlib import import_module
from pathlib import Path
from types import ModuleType

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po, write_po

from config import commands, i18n, language_texts, request_texts

CONFIG = Path(i18n.__file__).parent
TRANSLATED = sorted(set(i18n.LANGUAGES) - {i18n.SOURCE_LANGUAGE})
# Every text module (config/texts.py, config/*_texts.py: a new one is checked too), the menus.
TEXT_MODULES = (
    commands,
    *(import_module(f"config.{path.stem}") for path in sorted(CONFIG.glob("*texts.py"))),
)
# One count for each Welsh plural form, in catalog order: zero, one, two, few, many, other.
PLURAL_SAMPLES = (0, 1, 2, 3, 6, 11)
HTML_TAG = re.compile(r"</?[a-z]+(?: [^>]*)?>")
COMMAND = re.compile(r"(?<![\w/])/[a-z]+\b")
# Strings in text modules that are identifiers, not text (command names, keys, versions).
NOT_TEXT = re.compile(r"[a-z_0-9]*|\d{4}-\d{2}-\d{2}")


# Texts that take a count are marked NP_(singular, plural) (README: pybabel extract -k NP_:1,2).
KEYWORDS = {**DEFAULT_KEYWORDS, "NP_": (1, 2)}
MessageId = str | tuple[str, str]


@cache
def source_ids() -> frozenset[MessageId]:
    """Every message id marked in config/, extracted now with Babel (not from the .pot).

    A text with a count is a (singular, plural) pair.
    """
    found = extract_from_dir(str(CONFIG), method_map=[("**.py", "python")], keywords=KEYWORDS)
    return frozenset(
        message if isinstance(message, str) else (message[0], message[1])
        for _, _, message, _, _ in found
        if isinstance(message, str) or len(message) == 2
    )


def forms(message_id: MessageId, string: str | tuple[str, ...]) -> list[tuple[str, str]]:
    """(source, translation) pairs to compare: each plural form against the English plural."""
    if isinstance(message_id, str):
        return [(message_id, str(string))]
    return [(message_id[1], str(form)) for form in string]


@cache
def po(language: str) -> Catalog:
    """A shipped language's catalog as committed."""
    with (CONFIG / "locale" / language / "LC_MESSAGES" / "messages.po").open("rb") as file:
        return read_po(file, locale=language)


def fields(text: str) -> Counter[str]:
    """The {placeholders} of a text, counted."""
    return Counter(name for _, name, _, _ in string.Formatter().parse(text) if name is not None)


def strings_in(value: object) -> Iterator[MessageId]:
    """The strings inside a text constant (tuples, lists and dict values included)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, i18n.Plural):
        yield (value.singular, value.plural)
    elif isinstance(value, tuple | list):
        for item in value:
            yield from strings_in(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)


def constants(module: ModuleType) -> Iterator[tuple[str, MessageId]]:
    """(name, text) of every user-facing string constant of a text module, in English."""
    with i18n.speaking(i18n.SOURCE_LANGUAGE):
        for name in dir(module):
            if name.isupper():
                for text in strings_in(getattr(module, name)):
                    if isinstance(text, tuple) or (text and not NOT_TEXT.fullmatch(text)):
                        yield name, text


def test_the_extraction_finds_the_texts() -> None:
    ids = source_ids()
    assert len(ids) > 600
    assert request_texts.ALERT in ids and language_texts.CHOSEN in ids


@pytest.mark.parametrize("module", TEXT_MODULES, ids=lambda m: m.__name__)
def test_every_text_constant_is_marked_for_translation(module: ModuleType) -> None:
    # commands.py merges the other modules' texts: each part must be marked there.
    unmarked = [(name, text) for name, text in constants(module) if text not in source_ids()]
    assert unmarked == []


def test_the_template_is_up_to_date() -> None:
    with (CONFIG / "locale" / "messages.pot").open("rb") as file:
        template = read_po(file)
    assert {m.id for m in template if m.id} == source_ids(), (
        "run: pybabel extract -F babel.cfg -o config/locale/messages.pot . "
        "and pybabel update -i config/locale/messages.pot -d config/locale"
    )


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated(language: str) -> None:
    catalog = po(language)
    missing = [
        msgid
        for msgid in sorted(source_ids(), key=str)
        if not (m := catalog.get(msgid))
        or not all(text for _, text in forms(msgid, m.string))
        or (isinstance(msgid, tuple) and len(m.string) != catalog.num_plurals)
    ]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    obsolete = sorted(catalog.obsolete)
    assert (missing, fuzzy, obsolete) == ([], [], [])


@pytest.mark.parametrize("language", TRANSLATED)
def test_placeholders_tags_and_commands_match(language: str) -> None:
    problems = []
    for message in po(language):
        if not message.id:
            continue
        for source, translated in forms(message.id, message.string):
            # A plural form may say "the last day" for one, without the count itself.
            expected = fields(source)
            if isinstance(message.id, tuple) and "count" not in fields(translated):
                expected = expected - Counter({"count": expected["count"]})
            if expected != fields(translated):
                problems.append(("placeholders", source, translated))
            if HTML_TAG.findall(source) != HTML_TAG.findall(translated):
                problems.append(("html tags", source, translated))
            if set(COMMAND.findall(source)) != set(COMMAND.findall(translated)):
                problems.append(("commands", source, translated))
            if source.endswith("\n") != translated.endswith("\n") or (
                source.startswith("\n") != translated.startswith("\n")
            ):
                problems.append(("line breaks at the ends", source, translated))
    assert problems == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_translation_formats_with_the_source_arguments(language: str) -> None:
    for message in po(language):
        if not message.id:
            continue
        for source, translated in forms(message.id, message.string):
            arguments = {name: f"<{name}>" for name in fields(source)}
            formatted = translated.format(**arguments)
            shown = {n for n in arguments if n != "count" or isinstance(message.id, str)}
            assert all(f"<{name}>" in formatted for name in shown), message.id


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_compiled_catalog_matches_the_po_file(language: str) -> None:
    compiled = i18n.catalog(language)
    stale = [m.id for m in po(language) if m.id and _lookup(compiled, m) != _strings(m)]
    assert stale == [], "the .mo is older than the .po: reinstall with pip install -e ."


@pytest.mark.parametrize("language", TRANSLATED)
def test_texts_read_in_the_current_language(language: str) -> None:
    with i18n.speaking(language):
        welsh_accept = request_texts.BUTTON_ACCEPT
        labels = request_texts.CATEGORY_LABELS
        menu = commands.PRIVATE_COMMANDS
    assert welsh_accept == po(language)[request_texts.BUTTON_ACCEPT].string
    assert welsh_accept != request_texts.BUTTON_ACCEPT
    assert labels["shopping"] == po(language)[request_texts.CATEGORY_LABELS["shopping"]].string
    assert [name for name, _ in menu] == [name for name, _ in commands.PRIVATE_COMMANDS]
    assert i18n.current() == i18n.SOURCE_LANGUAGE


def _lookup(compiled: object, message: Message) -> tuple[str, ...]:
    """A message as a compiled catalog gives it: each plural form picked by a count for it."""
    if isinstance(message.id, str):
        return (compiled.gettext(message.id),)  # type: ignore[attr-defined]
    singular, plural = message.id
    return tuple(
        compiled.ngettext(singular, plural, n)  # type: ignore[attr-defined]
        for n in PLURAL_SAMPLES[: len(message.string)]
    )


def _strings(message: Message) -> tuple[str, ...]:
    return (message.string,) if isinstance(message.id, str) else tuple(message.string)


def test_telegram_language_codes_map_to_shipped_languages() -> None:
    assert i18n.supported("cy") == "cy"
    assert i18n.supported("cy-GB") == "cy"
    assert i18n.supported("en-GB") == "en"
    assert i18n.supported("fr") is None
    assert i18n.supported(None) is None


def _locale_copy(tmp_path: Path, language: str, *, with_mo: bool) -> Path:
    """A copy of the shipped locale folder of one language, with or without its .mo."""
    source = CONFIG / "locale" / language / "LC_MESSAGES"
    target = tmp_path / language / "LC_MESSAGES"
    target.mkdir(parents=True)
    (target / "messages.po").write_bytes((source / "messages.po").read_bytes())
    if with_mo:
        compiled = source / "messages.mo"
        assert compiled.is_file(), "the install did not compile the catalog"
        (target / "messages.mo").write_bytes(compiled.read_bytes())
    return tmp_path


@pytest.mark.parametrize("language", TRANSLATED)
def test_a_checkout_without_a_compiled_catalog_compiles_the_po(
    tmp_path: Path, language: str
) -> None:
    """`python -m bot` from a checkout that has only the .po still speaks the language."""
    loaded = i18n.load_catalog(language, _locale_copy(tmp_path, language, with_mo=False))
    wrong = [m.id for m in po(language) if m.id and _lookup(loaded, m) != _strings(m)]
    assert wrong == [] and len(po(language)) > 100


@pytest.mark.parametrize("language", TRANSLATED)
def test_a_po_newer_than_its_mo_wins(tmp_path: Path, language: str) -> None:
    locale = _locale_copy(tmp_path, language, with_mo=True)
    po_path = locale / language / "LC_MESSAGES" / "messages.po"
    catalog = po(language)
    first = next(m.id for m in catalog if m.id and isinstance(m.id, str))
    edited = Catalog(locale=language)
    for message in catalog:
        if message.id:
            edited.add(message.id, "newer translation" if message.id == first else message.string)
    with po_path.open("wb") as file:
        write_po(file, edited)
    mo_path = po_path.with_suffix(".mo")
    older = po_path.stat().st_mtime - 60
    os.utime(mo_path, (older, older))
    assert i18n.load_catalog(language, locale).gettext(first) == "newer translation"


def test_no_catalog_at_all_is_a_clear_installation_error(tmp_path: Path) -> None:
    (tmp_path / "cy" / "LC_MESSAGES").mkdir(parents=True)
    with pytest.raises(i18n.CatalogMissing, match=r"messages\.po"):
        i18n.load_catalog("cy", tmp_path)
