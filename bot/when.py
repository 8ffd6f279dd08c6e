"""When help is needed: today, tomorrow, this week or a typed date and time, stored in UTC."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from config import i18n
from config import request_texts as rt

WEEKDAY_DAYTIME = 1  # Mon-Fri 08:00-18:00 local
WEEKDAY_EVENING = 2  # Mon-Fri 18:00-22:00 local
WEEKEND = 4  # Sat and Sun, any time
ANY_TIME = WEEKDAY_DAYTIME | WEEKDAY_EVENING | WEEKEND
SLOT_NAMES: tuple[tuple[int, str], ...] = (
    (WEEKDAY_DAYTIME, "weekday daytime"),
    (WEEKDAY_EVENING, "weekday evening"),
    (WEEKEND, "weekend"),
)
MAX_DAYS_AHEAD = 90
MAX_TEXT_LENGTH = 100

_DAY_START = time(8, 0)
_DAY_END = time(23, 59, 59)
_EVENING_START = time(18, 0)
_NIGHT_START = time(22, 0)
_WEEK_ROLLOVER = time(18, 0)


class WhenKind(StrEnum):
    """How a request said when help is needed."""

    TODAY = "today"
    TOMORROW = "tomorrow"
    THIS_WEEK = "this_week"
    AT = "at"


class WhenProblem(StrEnum):
    """Why typed text was not accepted as a time."""

    UNREADABLE = "unreadable"
    IN_THE_PAST = "in_the_past"
    TOO_FAR = "too_far"


class WhenError(Exception):
    """Typed text could not be turned into a time; .reason says why."""

    def __init__(self, reason: WhenProblem) -> None:
        super().__init__(reason.value)
        self.reason = reason


def _slots_of_day(day: date, start: time, end: time) -> int:
    """The slots a closed local wall-clock span [start, end] within one day touches."""
    if day.weekday() >= 5:
        return WEEKEND
    mask = 0
    if start < _EVENING_START and end >= _DAY_START:
        mask |= WEEKDAY_DAYTIME
    if start < _NIGHT_START and end >= _EVENING_START:
        mask |= WEEKDAY_EVENING
    return mask


@dataclass(frozen=True)
class TimeWindow:
    """When help is needed, as a closed span of aware UTC times (a moment when both match)."""

    kind: WhenKind
    starts_at: datetime
    ends_at: datetime

    def slots(self, zone: ZoneInfo) -> int:
        """The availability slots (bitmask) the window overlaps in local time.

        A window lying wholly in a weekday night (22:00-08:00, Mon-Fri) overlaps no slot; it
        counts as WEEKDAY_DAYTIME | WEEKDAY_EVENING, so volunteers free on weekdays are asked.
        """
        start = self.starts_at.astimezone(zone).replace(tzinfo=None)
        end = max(start, self.ends_at.astimezone(zone).replace(tzinfo=None))
        mask = 0
        day = start.date()
        while day <= end.date() and mask != ANY_TIME:
            span_start = start.time() if day == start.date() else time.min
            span_end = end.time() if day == end.date() else time.max
            mask |= _slots_of_day(day, span_start, span_end)
            day += timedelta(days=1)
        return mask or WEEKDAY_DAYTIME | WEEKDAY_EVENING

    def describe(self, zone: ZoneInfo) -> str:
        """Short words in the current language, such as "tomorrow (Fri 27 Nov)"."""
        start = self.starts_at.astimezone(zone)
        if self.kind is WhenKind.TODAY:
            return rt.WHEN_TODAY.format(day=i18n.day(start))
        if self.kind is WhenKind.TOMORROW:
            return rt.WHEN_TOMORROW.format(day=i18n.day(start))
        if self.kind is WhenKind.THIS_WEEK:
            return rt.WHEN_THIS_WEEK.format(day=i18n.day(self.ends_at.astimezone(zone)))
        if self.starts_at != self.ends_at:
            return rt.WHEN_ANY_TIME.format(day=i18n.day(start))
        return i18n.day_at_time(start)


def _require_aware(now: datetime) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
    return now.astimezone(UTC)


def local_to_utc(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of a local wall-clock time.

    A time in a spring-forward gap moves to the first valid local minute after it (01:30 on
    the last Sunday of March in London becomes 02:00 BST); an autumn time that happens twice
    takes the first occurrence.
    """
    wall = datetime.combine(day, at)
    for step in range(0, 2 * 24 * 60 + 1):
        candidate = wall if step == 0 else wall.replace(second=0, microsecond=0)
        candidate += timedelta(minutes=step)
        moment = candidate.replace(tzinfo=zone, fold=0).astimezone(UTC)
        if moment.astimezone(zone).replace(tzinfo=None) == candidate:
            return moment
    raise ValueError(f"no valid local time near {wall} in {zone.key}")


def window_for(kind: WhenKind, now: datetime, zone: ZoneInfo) -> TimeWindow:
    """The window for a quick choice, in local days of zone.

    TODAY runs from now to the end of today; TOMORROW from 08:00 to the end of tomorrow;
    THIS_WEEK from now to the end of the coming Sunday, or of the following Sunday once it
    is Sunday 18:00 or later. AT has no quick window and raises ValueError.
    """
    now = _require_aware(now)
    local = now.astimezone(zone)
    today = local.date()
    if kind is WhenKind.TODAY:
        end = local_to_utc(today, _DAY_END, zone)
        return TimeWindow(kind, now, max(now, end))
    if kind is WhenKind.TOMORROW:
        tomorrow = today + timedelta(days=1)
        start = local_to_utc(tomorrow, _DAY_START, zone)
        return TimeWindow(kind, start, local_to_utc(tomorrow, _DAY_END, zone))
    if kind is WhenKind.THIS_WEEK:
        sunday = today + timedelta(days=6 - today.weekday())
        if sunday == today and local.time() >= _WEEK_ROLLOVER:
            sunday += timedelta(days=7)
        return TimeWindow(kind, now, max(now, local_to_utc(sunday, _DAY_END, zone)))
    raise ValueError(f"no quick window for {kind}")


_MONTH_NAMES = "jan january|feb february|mar march|apr april|may|jun june|jul july|aug august|"
_MONTH_NAMES += "sep sept september|oct october|nov november|dec december"
_DAY_NAMES = "mon monday|tue tues tuesday|wed weds wednesday|thu thur thurs thursday|fri friday|"
_DAY_NAMES += "sat saturday|sun sunday"
# Welsh, as people type it and as the bot writes it (Babel's 'Llun 2 Tach', 'Dydd Llun 2 Tachwedd').
# "mawrth" is both Tuesday and March: a weekday before a date, a month after a day number.
_MONTH_NAMES_CY = "ion ionawr|chwef chwefror|maw mawrth|ebr ebrill|mai|meh mehefin|"
_MONTH_NAMES_CY += "gorff gorffennaf|awst|medi|hyd hydref|tach tachwedd|rhag rhagfyr"
_DAY_NAMES_CY = "llun|maw mawrth|mer mercher|iau|gwen gwener|sad sadwrn|sul"
_MONTHS = {
    n: i
    for names in (_MONTH_NAMES, _MONTH_NAMES_CY)
    for i, ns in enumerate(names.split("|"), start=1)
    for n in ns.split()
}
_WEEKDAYS = {
    n: i
    for names in (_DAY_NAMES, _DAY_NAMES_CY)
    for i, ns in enumerate(names.split("|"))
    for n in ns.split()
}
_EVENING_WORDS = frozenset({"heno"})  # tonight: today, and a bare hour is in the evening
_TODAY_WORDS = frozenset({"today", "tonight", "heddiw"}) | _EVENING_WORDS
_TOMORROW_WORDS = frozenset({"tomorrow", "tmrw", "tmr", "yfory", "fory"})
_THIS_WEEK_WORDS = (
    ["this", "week"],
    ["wythnos", "hon"],
    ["yr", "wythnos", "hon"],
    ["wythnos", "yma"],
)
# "am" is Welsh for "at" once English "10 am" has become "10am"; "dydd" as in "dydd Llun".
_FILLER_WORDS = frozenset({"at", "on", "the", "of", "@", "am", "ar", "dydd", "ddydd"})
_BARE_HOUR = re.compile(r"([0-9]{1,2})(?:[:.]([0-9]{2}))?")
_NOON_WORDS = frozenset({"noon", "midday", "12noon"})
_TIME_12H = re.compile(r"([0-9]{1,2})(?:[:.]([0-9]{2}))?([ap])\.?m\.?")
_TIME_24H = re.compile(r"([0-9]{1,2})[:.]([0-9]{2})(?::([0-9]{2}))?")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_NUMERIC_DATE = re.compile(r"([0-9]{1,2})([/-])([0-9]{1,2})(?:\2([0-9]{2}|[0-9]{4}))?")
_DOTTED_DATE = re.compile(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{2}|[0-9]{4})")
_DAY_NUMBER = re.compile(r"([0-9]{1,2})(?:st|nd|rd|th)?")
_YEAR = re.compile(r"[0-9]{4}")


@dataclass(frozen=True)
class _DateSpec:
    """A date as typed: days from today, a weekday, or a day and month with maybe a year."""

    offset: int | None = None
    weekday: int | None = None
    day: int = 0
    month: int = 0
    year: int | None = None


def _words(text: str) -> list[str]:
    """Normalise typed text (NFKC, lower case, no commas) into words."""
    if len(text) > MAX_TEXT_LENGTH:
        raise WhenError(WhenProblem.UNREADABLE)
    cleaned = unicodedata.normalize("NFKC", text).lower().replace(",", " ")
    cleaned = re.sub(r"([0-9]{4}-[0-9]{1,2}-[0-9]{1,2})t(?=[0-9])", r"\1 ", cleaned)
    cleaned = re.sub(r"(?<=[0-9])\s+(?=[ap]\.?m\.?(?:\s|$))", "", cleaned)
    cleaned = re.sub(r"\b12\s+noon\b", "noon", cleaned)
    cleaned = _welsh_times(cleaned)
    return _evening([word for word in cleaned.split() if word not in _FILLER_WORDS])


def _welsh_times(cleaned: str) -> str:
    """Welsh times as the English forms the parser reads: '10 y bore' -> '10am'.

    "o'r gloch" (o'clock) after an hour gives ':00'; bore (morning) gives am, prynhawn or
    pnawn (afternoon) pm, each with or without "y" / "yn y" before it; hanner dydd is noon.
    """
    cleaned = re.sub(r"\b([0-9]{1,2})\s*o['’]r\s+gloch\b", r"\1:00", cleaned)
    cleaned = re.sub(
        r"(?<=[0-9])\s*(?:(?:yn\s+)?y\s+)?(bore|prynhawn|pnawn)\b",
        lambda match: "am" if match[1] == "bore" else "pm",
        cleaned,
    )
    return re.sub(r"\b(?:hanner|canol|ganol)\s+dydd\b", "noon", cleaned)


def _evening(words: list[str]) -> list[str]:
    """With "heno" (tonight), an hour without am or pm is in the evening: 'heno 7' is 19:00."""
    if not _EVENING_WORDS.intersection(words):
        return words
    read: list[str] = []
    for word in words:
        match = _BARE_HOUR.fullmatch(word)
        if match and 1 <= int(match[1]) <= 11:
            word += "pm"
        read.append(word)
    return read


def _parse_time(word: str) -> time | None:
    """A time of day from one word, or None when the word is not a time."""
    if word in _NOON_WORDS:
        return time(12, 0)
    if match := _TIME_12H.fullmatch(word):
        hour, minute = int(match[1]), int(match[2] or 0)
        if not 1 <= hour <= 12 or minute > 59:
            return None
        return time(hour % 12 + (12 if match[3] == "p" else 0), minute)
    if match := _TIME_24H.fullmatch(word):
        hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
        if hour > 23 or minute > 59 or second > 59:
            return None
        return time(hour, minute, second)
    return None


def _parse_date(words: list[str]) -> _DateSpec | None:
    """A date from its words, or None when they do not make one."""
    if len(words) > 1 and words[0].rstrip(".") in _WEEKDAYS:
        spec = _parse_date(words[1:])
        if spec is not None and spec.month != 0:
            return replace(spec, weekday=_WEEKDAYS[words[0].rstrip(".")])
        if words[0].rstrip(".") not in _MONTHS:  # "mawrth 28": March, not a Tuesday
            return None
    if len(words) == 1:
        word = words[0].rstrip(".") if words[0][:1].isalpha() else words[0]
        if word in _TODAY_WORDS:
            return _DateSpec(offset=0)
        if word in _TOMORROW_WORDS:
            return _DateSpec(offset=1)
        if word in _WEEKDAYS:
            return _DateSpec(weekday=_WEEKDAYS[word])
        if match := _ISO_DATE.fullmatch(word):
            return _DateSpec(day=int(match[3]), month=int(match[2]), year=int(match[1]))
        if (match := _NUMERIC_DATE.fullmatch(word)) or (match := _DOTTED_DATE.fullmatch(word)):
            groups = match.groups()
            day, month, year = int(groups[0]), int(groups[-2]), groups[-1]
            if year is not None and len(year) == 2:
                year = "20" + year
            return _DateSpec(day=day, month=month, year=int(year) if year else None)
        return None
    names = [word.rstrip(".") for word in words]
    year = None
    if len(names) == 3 and _YEAR.fullmatch(names[2]):
        year = int(names.pop())
    if len(names) != 2:
        return None
    if names[0] in _MONTHS:
        names.reverse()
    day_match = _DAY_NUMBER.fullmatch(names[0])
    if day_match is None or names[1] not in _MONTHS:
        return None
    return _DateSpec(day=int(day_match[1]), month=_MONTHS[names[1]], year=year)


def _try_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _calendar_date(spec: _DateSpec, today: date) -> date:
    """The date a day-and-month means; without a year, the next occurrence.

    A yearless date that has passed this year is taken as this year's when that is nearer
    than next year's, so "yesterday's date" reads as IN_THE_PAST rather than TOO_FAR.
    """
    if spec.year is not None:
        found = _try_date(spec.year, spec.month, spec.day)
    else:
        this_year = _try_date(today.year, spec.month, spec.day)
        next_year = _try_date(today.year + 1, spec.month, spec.day)
        if this_year is not None and (
            this_year >= today or next_year is None or today - this_year < next_year - today
        ):
            found = this_year
        else:
            found = next_year
    if found is None or (spec.weekday is not None and found.weekday() != spec.weekday):
        raise WhenError(WhenProblem.UNREADABLE)
    return found


def _resolve_day(spec: _DateSpec | None, at: time | None, now: datetime, zone: ZoneInfo) -> date:
    """The local date meant, rolling a passed bare time by a day and a weekday by a week."""
    today = now.astimezone(zone).date()
    if spec is not None and spec.month:
        return _calendar_date(spec, today)
    if spec is None or spec.offset is not None:
        day, roll = today + timedelta(days=spec.offset if spec else 0), 1 if spec is None else 0
    else:
        day, roll = today + timedelta(days=((spec.weekday or 0) - today.weekday()) % 7), 7
    if roll and day == today and at is not None and local_to_utc(day, at, zone) <= now:
        day += timedelta(days=roll)
    return day


def _check(start: datetime, now: datetime) -> None:
    if start < now:
        raise WhenError(WhenProblem.IN_THE_PAST)
    if start - now > timedelta(days=MAX_DAYS_AHEAD):
        raise WhenError(WhenProblem.TOO_FAR)


def _window(words: list[str], now: datetime, zone: ZoneInfo) -> TimeWindow:
    if words in _THIS_WEEK_WORDS:
        return window_for(WhenKind.THIS_WEEK, now, zone)
    if len(words) == 1 and words[0] in _TODAY_WORDS | _TOMORROW_WORDS:
        kind = WhenKind.TODAY if words[0] in _TODAY_WORDS else WhenKind.TOMORROW
        return window_for(kind, now, zone)
    at = None
    date_words = words
    if words and (at := _parse_time(words[-1])) is not None:
        date_words = words[:-1]
    elif words and (at := _parse_time(words[0])) is not None:
        date_words = words[1:]
    spec = _parse_date(date_words) if date_words else None
    if (date_words and spec is None) or (spec is None and at is None):
        raise WhenError(WhenProblem.UNREADABLE)
    day = _resolve_day(spec, at, now, zone)
    today = now.astimezone(zone).date()
    if day < today:
        raise WhenError(WhenProblem.IN_THE_PAST)
    if (day - today).days > MAX_DAYS_AHEAD + 1:
        raise WhenError(WhenProblem.TOO_FAR)
    if at is not None:
        moment = local_to_utc(day, at, zone)
        _check(moment, now)
        return TimeWindow(WhenKind.AT, moment, moment)
    start = now if day == today else local_to_utc(day, _DAY_START, zone)
    _check(start, now)
    return TimeWindow(WhenKind.AT, start, max(start, local_to_utc(day, _DAY_END, zone)))


def parse_when(text: str, now: datetime, zone: ZoneInfo) -> TimeWindow:
    """Read a forgiving typed date and/or time in zone into a window; raises only WhenError.

    A time gives a moment (kind AT, starts_at == ends_at); a bare time rolls to tomorrow once
    passed, a weekday to next week. A date alone gives that whole day (from 08:00 local, or
    from now if it is today, to 23:59:59 local). "today", "tomorrow" and "this week" alone
    give the quick windows of window_for. Slashed dates are day first.
    """
    now = _require_aware(now)
    try:
        return _window(_words(text), now, zone)
    except (ValueError, OverflowError) as exc:
        raise WhenError(WhenProblem.UNREADABLE) from exc
