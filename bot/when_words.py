"""The words of typed times, in English and Welsh: days, months, clock times, parts of the day.

bot.when turns what these read into moments and windows; nothing here knows the clock. Welsh
is read as people type it, with the mutated day names that follow "nos" (nos Wener) and
"nesaf" (next) after the day.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import time, timedelta

MAX_TEXT_LENGTH = 100

_MONTH_NAMES = "jan january|feb february|mar march|apr april|may|jun june|jul july|aug august|"
_MONTH_NAMES += "sep sept september|oct october|nov november|dec december"
_DAY_NAMES = "mon monday|tue tues tuesday|wed weds wednesday|thu thur thurs thursday|fri friday|"
_DAY_NAMES += "sat saturday|sun sunday"
# Welsh, as people type it and as the bot writes it (Babel's 'Llun 2 Tach', 'Dydd Llun 2 Tachwedd').
# "mawrth" is both Tuesday and March: a weekday before a date, a month after a day number.
_MONTH_NAMES_CY = "ion ionawr|chwef chwefror|maw mawrth|ebr ebrill|mai|meh mehefin|"
_MONTH_NAMES_CY += "gorff gorffennaf|awst|medi|hyd hydref|tach tachwedd|rhag rhagfyr"
_DAY_NAMES_CY = "llun lun|maw mawrth fawrth|mer mercher fercher|iau|gwen gwener wener|"
_DAY_NAMES_CY += "sad sadwrn|sul"
MONTHS = {
    n: i
    for names in (_MONTH_NAMES, _MONTH_NAMES_CY)
    for i, ns in enumerate(names.split("|"), start=1)
    for n in ns.split()
}
WEEKDAYS = {
    n: i
    for names in (_DAY_NAMES, _DAY_NAMES_CY)
    for i, ns in enumerate(names.split("|"))
    for n in ns.split()
}
TODAY_WORDS = frozenset({"today", "heddiw"})
TOMORROW_WORDS = frozenset({"tomorrow", "tmrw", "tmr", "yfory", "fory"})
THIS_WEEK_WORDS = (
    ["this", "week"],
    ["wythnos", "hon"],
    ["yr", "wythnos", "hon"],
    ["wythnos", "yma"],
)
# Parts of the day, as local wall-clock spans; "tonight" runs on to just before midnight.
PART_SPANS = {
    "morning": (time(8, 0), time(12, 0)),
    "afternoon": (time(12, 0), time(17, 0)),
    "evening": (time(18, 0), time(22, 0)),
    "tonight": (time(18, 0), time(23, 59)),
}
PART_WORDS = {
    "morning": "morning",
    "bore": "morning",
    "afternoon": "afternoon",
    "prynhawn": "afternoon",
    "pnawn": "afternoon",
    "evening": "evening",
    "noswaith": "evening",
    "tonight": "tonight",
    "night": "tonight",
    "heno": "tonight",
    "nos": "tonight",
}
AFTER_NOON_PARTS = frozenset({"afternoon", "evening", "tonight"})
# Words around a part of the day: "this afternoon", "yn y bore", "bore 'ma" ("this" means
# today, where "morning" alone is the next morning).
_THIS_WORDS = frozenset({"this", "'ma", "’ma", "ma", "yma"})
_PART_FILLERS = frozenset({"in", "the", "yn", "y", "dydd"}) | _THIS_WORDS
_NEXT_WORDS = frozenset({"next", "nesaf", "nesa"})
# "am" is Welsh for "at" once English "10 am" has become "10am"; "dydd" as in "dydd Llun".
_FILLER_WORDS = frozenset({"at", "on", "the", "of", "@", "am", "ar", "dydd", "ddydd"})
_NOON_WORDS = frozenset({"noon", "midday", "12noon"})
_TIME_12H = re.compile(r"([0-9]{1,2})(?:[:.]([0-9]{2}))?([ap])\.?m\.?")
_TIME_24H = re.compile(r"([0-9]{1,2})[:.]([0-9]{2})(?::([0-9]{2}))?")
_BARE_HOUR = re.compile(r"[0-9]{1,2}")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_NUMERIC_DATE = re.compile(r"([0-9]{1,2})([/-])([0-9]{1,2})(?:\2([0-9]{2}|[0-9]{4}))?")
_DOTTED_DATE = re.compile(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{2}|[0-9]{4})")
_DAY_NUMBER = re.compile(r"([0-9]{1,2})(?:st|nd|rd|th)?")
_YEAR = re.compile(r"[0-9]{4}")
_IN_DURATION = re.compile(
    r"(?:in|mewn)\s+(?:(half an|hanner)\s+(?:hour|awr)"
    r"|(?:([0-9]{1,4}|an?)\s*)?(hours?|hrs?|h|awr|minutes?|mins?|munud))"
)


class Unreadable(ValueError):
    """The words do not make a time, a date or a part of the day."""


@dataclass(frozen=True)
class DateSpec:
    """A date as typed: days from today, a weekday, or a day and month with maybe a year."""

    offset: int | None = None
    weekday: int | None = None
    day: int = 0
    month: int = 0
    year: int | None = None


@dataclass(frozen=True)
class TypedTime:
    """A clock time as typed; ambiguous when it is an hour from 1 to 7 without am or pm."""

    at: time
    ambiguous: bool = False

    def in_the_afternoon(self) -> TypedTime:
        """The same time twelve hours on (a morning hour read as afternoon or evening)."""
        hour = self.at.hour + 12 if 1 <= self.at.hour <= 11 else self.at.hour
        return TypedTime(self.at.replace(hour=hour))


@dataclass(frozen=True)
class Phrase:
    """Typed words sorted out: the date and time words left, and what framed them."""

    words: list[str]
    part: str | None = None  # morning | afternoon | evening | tonight
    next_week: bool = False  # "next Tuesday": that day in the coming week
    delay: timedelta | None = None  # "in 2 hours"


def words_of(text: str) -> list[str]:
    """Normalise typed text (NFKC, lower case, no commas) into words, Welsh times as English."""
    if len(text) > MAX_TEXT_LENGTH:
        raise Unreadable(text)
    cleaned = unicodedata.normalize("NFKC", text).lower().replace(",", " ").strip()
    cleaned = re.sub(r"([0-9]{4}-[0-9]{1,2}-[0-9]{1,2})t(?=[0-9])", r"\1 ", cleaned)
    cleaned = re.sub(r"(?<=[0-9])\s+(?=[ap]\.?m\.?(?:\s|$))", "", cleaned)
    cleaned = re.sub(r"\b12\s+noon\b", "noon", cleaned)
    cleaned = re.sub(r"\bgyda['’]r\s+nos\b", "noswaith", cleaned)
    cleaned = _welsh_times(cleaned)
    return cleaned.split()


def _welsh_times(cleaned: str) -> str:
    """Welsh times as the English forms the parser reads: '10 y bore' -> '10am'.

    "o'r gloch" (o'clock) after an hour gives ':00'; bore (morning) gives am, prynhawn or
    pnawn (afternoon) pm, each with or without "y" / "yn y" before it; hanner dydd is noon.
    """
    cleaned = re.sub(r"\b([0-9]{1,2})\s*o['’]r\s+gloch\b", r"\1:00", cleaned)
    cleaned = re.sub(r"\b([0-9]{1,2})\s*o['’]clock\b", r"\1:00", cleaned)
    cleaned = re.sub(
        r"(?<=[0-9])\s*(?:(?:yn\s+)?y\s+)?(bore|prynhawn|pnawn)\b",
        lambda match: "am" if match[1] == "bore" else "pm",
        cleaned,
    )
    return re.sub(r"\b(?:hanner|canol|ganol)\s+dydd\b", "noon", cleaned)


def phrase_of(words: list[str]) -> Phrase:
    """Find "in N hours", "next" and a part of the day among the words."""
    joined = " ".join(words)
    if match := _IN_DURATION.fullmatch(joined):
        return Phrase([], delay=_duration(match))
    parts = [PART_WORDS[w] for w in words if w in PART_WORDS]
    part = parts[0] if len(set(parts)) == 1 else None
    if len(set(parts)) > 1:
        raise Unreadable(joined)
    next_week = any(w in _NEXT_WORDS for w in words)
    left = [w for w in words if w not in PART_WORDS and w not in _NEXT_WORDS]
    if part is not None:
        today = part == "tonight" or any(w in _THIS_WORDS for w in left)
        left = [w for w in left if w not in _PART_FILLERS]
        if today and not any(parse_date([w]) for w in left):  # "this afternoon", "heno 7"
            left = ["today", *left]
    return Phrase([w for w in left if w not in _FILLER_WORDS], part, next_week)


def _duration(match: re.Match[str]) -> timedelta:
    """The delay of "in 2 hours", "in an hour", "in half an hour", "mewn 30 munud"."""
    if match[1]:
        return timedelta(minutes=30)
    amount = 1 if match[2] in (None, "a", "an") else int(match[2])
    unit = match[3]
    return timedelta(hours=amount) if unit[0] in "ha" else timedelta(minutes=amount)


def parse_time(word: str) -> TypedTime | None:
    """A clock time from one word (with am/pm, a colon or noon), or None."""
    if word in _NOON_WORDS:
        return TypedTime(time(12, 0))
    if match := _TIME_12H.fullmatch(word):
        hour, minute = int(match[1]), int(match[2] or 0)
        if not 1 <= hour <= 12 or minute > 59:
            return None
        return TypedTime(time(hour % 12 + (12 if match[3] == "p" else 0), minute))
    if match := _TIME_24H.fullmatch(word):
        hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
        if hour > 23 or minute > 59 or second > 59:
            return None
        return TypedTime(time(hour, minute, second), _unclear(match[1]))
    return None


def parse_bare_hour(word: str) -> TypedTime | None:
    """An hour typed alone ("friday at 2"); 1-7 is ambiguous, 8-11 the morning, 12 noon."""
    if not _BARE_HOUR.fullmatch(word) or not 1 <= int(word) <= 23:
        return None
    return TypedTime(time(int(word), 0), _unclear(word))


def _unclear(hour: str) -> bool:
    """An hour from 1 to 7 written without a leading zero could be morning or afternoon."""
    return not hour.startswith("0") and 1 <= int(hour) <= 7


def parse_date(words: list[str]) -> DateSpec | None:
    """A date from its words, or None when they do not make one."""
    if len(words) > 1 and words[0].rstrip(".") in WEEKDAYS:
        spec = parse_date(words[1:])
        if spec is not None and spec.month != 0:
            return replace(spec, weekday=WEEKDAYS[words[0].rstrip(".")])
        if words[0].rstrip(".") not in MONTHS:  # "mawrth 28": March, not a Tuesday
            return None
    if len(words) == 1:
        return _one_word_date(words[0])
    names = [word.rstrip(".") for word in words]
    year = None
    if len(names) == 3 and _YEAR.fullmatch(names[2]):
        year = int(names.pop())
    if len(names) != 2:
        return None
    if names[0] in MONTHS:
        names.reverse()
    day_match = _DAY_NUMBER.fullmatch(names[0])
    if day_match is None or names[1] not in MONTHS:
        return None
    return DateSpec(day=int(day_match[1]), month=MONTHS[names[1]], year=year)


def _one_word_date(word: str) -> DateSpec | None:
    word = word.rstrip(".") if word[:1].isalpha() else word
    if word in TODAY_WORDS:
        return DateSpec(offset=0)
    if word in TOMORROW_WORDS:
        return DateSpec(offset=1)
    if word in WEEKDAYS:
        return DateSpec(weekday=WEEKDAYS[word])
    if match := _ISO_DATE.fullmatch(word):
        return DateSpec(day=int(match[3]), month=int(match[2]), year=int(match[1]))
    if (match := _NUMERIC_DATE.fullmatch(word)) or (match := _DOTTED_DATE.fullmatch(word)):
        groups = match.groups()
        day, month, year = int(groups[0]), int(groups[-2]), groups[-1]
        if year is not None and len(year) == 2:
            year = "20" + year
        return DateSpec(day=day, month=month, year=int(year) if year else None)
    return None


def readings(words: list[str]) -> list[tuple[DateSpec | None, TypedTime | None]]:
    """The ways the words read as a date and a time, most likely first."""
    found: list[tuple[DateSpec | None, TypedTime | None]] = []

    def add(date_words: list[str], typed: TypedTime | None) -> None:
        spec = parse_date(date_words) if date_words else None
        if (spec is not None or not date_words) and (spec is not None or typed is not None):
            found.append((spec, typed))

    if words and (typed := parse_time(words[-1])) is not None:
        add(words[:-1], typed)
    if words and (typed := parse_time(words[0])) is not None:
        add(words[1:], typed)
    add(words, None)
    if words and (typed := parse_bare_hour(words[-1])) is not None:
        add(words[:-1], typed)
    if len(words) > 1 and (typed := parse_bare_hour(words[0])) is not None:
        add(words[1:], typed)
    return found
