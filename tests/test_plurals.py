"""Texts that take a count have plural forms from the catalogs, Welsh's six included."""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from importlib import import_module
from pathlib import Path
from types import ModuleType

import pytest
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from bot.durations import duration_words
from config import i18n

CONFIG = Path(i18n.__file__).parent
TEXT_MODULES = tuple(
    import_module(f"config.{path.stem}") for path in sorted(CONFIG.glob("*texts.py"))
)
COUNTS = (0, 1, 2, 3, 6, 11)  # one for each Welsh form: zero, one, two, few, many, other
# Fields that hold a count of things in single (non-plural) texts. A number right before a
# noun ("{count} tasks", "{count} {volunteers}") needs a plural text; before a participle or
# adjective ("{made} asked", "{open} open") it reads in every form. Limits ({limit}, {length})
# are the code's constants, never one, and are not counts people are told about.
COUNT_FIELDS = {
    "count", "total", "days", "rows", "tasks", "volunteers", "assets", "made", "met", "unmet",
    "late", "kept", "due", "thanks", "more", "added", "updated", "unchanged", "skipped",
    "delivered", "blocked", "failed", "pending", "done", "alerted", "active", "approved",
    "most", "helped", "in_progress", "waiting", "cancelled", "recent", "open", "short",
    "thanked", "weeks",
}  # fmt: skip
NOT_NOUNS = {
    "asked", "met", "unmet", "late", "added", "updated", "unchanged", "recent", "open",
    "active", "alerted", "helped", "in", "waiting", "cancelled", "approved", "of", "will",
    "who", "more", "not", "done", "answered", "at", "thanked", "did",
}  # fmt: skip
# Single texts that put a count before a noun, and why that is right for now.
KNOWN = {
    # Fixed limits from the code (10 languages, 10 skills, 5,000 rows, 60 days), always many.
    "LANGUAGES_INVALID",
    "SKILLS_INVALID",
    "CSV_TOO_MANY_ROWS",
    "WHEN_TOO_FAR",
    # Composed in handlers/requests/flow.py (the residents' request flow, changed in parallel
    # by another issue) from VOLUNTEER_ONE / VOLUNTEER_MANY: to become a plural text there.
    "CREATED",
}
_COUNT_BEFORE = re.compile(r"\{(\w+)\} +(\{\w+\}|[^\W\d_]+)")


def plurals(module: ModuleType) -> Iterator[tuple[str, i18n.Plural]]:
    """(name, text) of every plural text of a module, inside dicts too."""
    for name in dir(module):
        value = getattr(module, name)
        if isinstance(value, i18n.Plural):
            yield name, value
        elif isinstance(value, dict):
            yield from ((f"{name}[{k}]", v) for k, v in value.items() if isinstance(v, i18n.Plural))


def all_plurals() -> list[tuple[str, i18n.Plural]]:
    return [(f"{m.__name__}.{n}", p) for m in TEXT_MODULES for n, p in plurals(m)]


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def welsh_forms() -> dict[tuple[str, str], tuple[str, ...]]:
    with (CONFIG / "locale" / "cy" / "LC_MESSAGES" / "messages.po").open("rb") as file:
        catalog = read_po(file, locale="cy")
    return {m.id: tuple(m.string) for m in catalog if isinstance(m.id, tuple)}


def test_the_welsh_catalog_declares_babels_six_plural_forms() -> None:
    with (CONFIG / "locale" / "cy" / "LC_MESSAGES" / "messages.po").open("rb") as file:
        header = read_po(file, locale="cy").mime_headers
    forms = dict(header)["Plural-Forms"]
    rule = get_plural("cy")
    assert rule.num_plurals == 6
    assert forms == rule.plural_forms
    # The rule picks a different form for each of the sample counts, in catalog order.
    compiled = i18n.catalog("cy")
    assert [compiled.plural(n) for n in COUNTS] == [0, 1, 2, 3, 4, 5]  # type: ignore[attr-defined]


def test_there_are_plural_texts_in_the_modules_people_read() -> None:
    names = {name for name, _ in all_plurals()}
    assert len(names) >= 25
    expected = {
        "config.oversight_texts.STATS_REQUESTS",
        "config.asset_texts.GAPS_VOLUNTEERS",
        "config.number_texts.DURATION_MINUTES",
        "config.privacy_texts.FORGOTTEN_CANCELLED",
    }
    assert expected <= names


@pytest.mark.parametrize("language", sorted(i18n.LANGUAGES))
@pytest.mark.parametrize("name_and_text", all_plurals(), ids=lambda p: p[0])
def test_every_counted_text_renders_each_count(
    language: str, name_and_text: tuple[str, i18n.Plural]
) -> None:
    name, text = name_and_text
    welsh = welsh_forms()[(text.singular, text.plural)]
    assert len(welsh) == 6 and all(welsh), name
    others = fields(text.plural) - {"count"}
    arguments = {field: f"<{field}>" for field in others}
    rendered = {}
    with i18n.speaking(language):
        for n in COUNTS:
            rendered[n] = text(n, **arguments)
            assert all(f"<{field}>" in rendered[n] for field in others), (name, n)
            # The number is shown, unless the form for it says it in words ("the last day").
            if str(n) not in rendered[n]:
                assert n == 1, (name, language, n, rendered[n])
    if language == "en":
        assert rendered[1] == text.singular.format(count=1, **arguments)
        assert all(
            rendered[n] == text.plural.format(count=n, **arguments) for n in COUNTS if n != 1
        )
        assert text.singular != text.plural or "{count}" not in text.plural, name
    else:
        for form, n in enumerate(COUNTS):
            assert rendered[n] == welsh[form].format(count=n, **arguments), (name, n)


def test_single_texts_never_put_a_count_before_a_noun() -> None:
    found = []
    for module in TEXT_MODULES:
        for name in dir(module):
            value = getattr(module, name)
            texts = [value] if isinstance(value, str) else []
            if isinstance(value, dict):
                texts = [v for v in value.values() if isinstance(v, str)]
            for text in texts:
                for match in _COUNT_BEFORE.finditer(text):
                    field, after = match.groups()
                    if field in COUNT_FIELDS and after.lower() not in NOT_NOUNS:
                        found.append(name)
    assert sorted(set(found) - KNOWN) == []
    assert set(found) >= KNOWN, "a known exception is gone: remove it from KNOWN"


@pytest.mark.parametrize(
    ("seconds", "english", "welsh"),
    [
        (0, "under a minute", "llai na munud"),
        (59, "under a minute", "llai na munud"),
        (60, "1 minute", "1 munud"),
        (2 * 60, "2 minutes", "2 funud"),
        (3600, "1 hour", "1 awr"),
        (2 * 3600 + 5 * 60, "2 hours 5 minutes", "2 awr a 5 munud"),
        (50 * 3600, "2 days 2 hours", "2 ddiwrnod a 2 awr"),
        (6 * 86400, "6 days", "6 diwrnod"),
    ],
)
def test_durations_in_words(seconds: float, english: str, welsh: str) -> None:
    assert duration_words(seconds) == english
    with i18n.speaking("cy"):
        assert duration_words(seconds) == welsh
