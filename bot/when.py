"""When help is needed: today, tomorrow, this week or a typed date and time, stored in UTC."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.when_words import (
    AFTER_NOON_PARTS,
    PART_SPANS,
    THIS_WEEK_WORDS,
    TODAY_WORDS,
    TOMORROW_WORDS,
    DateSpec,
    Phrase,
    TypedTime,
    Unreadable,
    phrase_of,
    readings,
    words_of,
)
from config import i18n, request_texts

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
    AMBIGUOUS = "ambiguous"  # an hour from 1 to 7 alone: morning or afternoon?


class WhenError(Exception):
    """Typed text could not be turned into one time; .reason says why.

    For AMBIGUOUS, .choices holds the morning and the afternoon reading, in that order.
    """

    def __init__(
        self, reason: WhenProblem, choices: tuple[TimeWindow, TimeWindow] | None = None
    ) -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.choices = choices


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
            return request_texts.WHEN_TODAY.format(day=i18n.day(start))
        if self.kind is WhenKind.TOMORROW:
            return request_texts.WHEN_TOMORROW.format(day=i18n.day(start))
        if self.kind is WhenKind.THIS_WEEK:
            return request_texts.WHEN_THIS_WEEK.format(day=i18n.day(self.ends_at.astimezone(zone)))
        if self.starts_at != self.ends_at:
            end = self.ends_at.astimezone(zone)
            if end.time() == _DAY_END:  # the rest of a day
                return request_texts.WHEN_ANY_TIME.format(day=i18n.day(start))
            return request_texts.WHEN_BETWEEN.format(
                day=i18n.day(start), start=f"{start:%H:%M}", end=f"{end:%H:%M}"
            )
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


def _try_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _calendar_date(spec: DateSpec, today: date) -> date:
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


def _day(spec: DateSpec | None, today: date, next_week: bool) -> tuple[date, int]:
    """The local date meant, and by how many days it rolls on once its time has passed.

    A bare time rolls to tomorrow, a weekday to next week; "next <day>" is that day in the
    coming week (Monday to Sunday), and never rolls.
    """
    if spec is not None and spec.month:
        if next_week:
            raise WhenError(WhenProblem.UNREADABLE)
        return _calendar_date(spec, today), 0
    if spec is None or spec.offset is not None:
        if next_week:
            raise WhenError(WhenProblem.UNREADABLE)
        return today + timedelta(days=spec.offset if spec else 0), 1 if spec is None else 0
    weekday = spec.weekday or 0
    if next_week:
        monday = today + timedelta(days=7 - today.weekday())
        return monday + timedelta(days=weekday), 0
    return today + timedelta(days=(weekday - today.weekday()) % 7), 7


def _check(start: datetime, now: datetime) -> None:
    if start < now:
        raise WhenError(WhenProblem.IN_THE_PAST)
    if start - now > timedelta(days=MAX_DAYS_AHEAD):
        raise WhenError(WhenProblem.TOO_FAR)


def _moment(
    spec: DateSpec | None, at: time, next_week: bool, now: datetime, zone: ZoneInfo
) -> TimeWindow:
    """A moment: the date meant (rolled on if that time has passed) at a local time."""
    today = now.astimezone(zone).date()
    day, roll = _day(spec, today, next_week)
    if roll and day == today and local_to_utc(day, at, zone) <= now:
        day += timedelta(days=roll)
    moment = local_to_utc(day, at, zone)
    _check(moment, now)
    return TimeWindow(WhenKind.AT, moment, moment)


def _span(
    spec: DateSpec | None, part: str | None, next_week: bool, now: datetime, zone: ZoneInfo
) -> TimeWindow:
    """A day, or a part of it, from now on (rolled on if it is over)."""
    today = now.astimezone(zone).date()
    day, roll = _day(spec, today, next_week)
    begin, end = PART_SPANS[part] if part else (_DAY_START, _DAY_END)
    if day == today and roll and local_to_utc(day, end, zone) <= now:
        day += timedelta(days=1 if spec is None else roll)
    if day < today:
        raise WhenError(WhenProblem.IN_THE_PAST)
    if (day - today).days > MAX_DAYS_AHEAD + 1:
        raise WhenError(WhenProblem.TOO_FAR)
    start, finish = local_to_utc(day, begin, zone), local_to_utc(day, end, zone)
    if finish <= now:
        raise WhenError(WhenProblem.IN_THE_PAST)
    start = max(start, now) if day == today else start
    _check(start, now)
    return TimeWindow(WhenKind.AT, start, finish)


def _at(
    spec: DateSpec | None, typed: TypedTime, phrase: Phrase, now: datetime, zone: ZoneInfo
) -> TimeWindow:
    """The moment of a typed time; an hour from 1 to 7 alone is asked about, not guessed."""
    if phrase.part in AFTER_NOON_PARTS:
        typed = typed.in_the_afternoon()
    if not typed.ambiguous or phrase.part is not None:
        return _moment(spec, typed.at, phrase.next_week, now, zone)
    options: list[TimeWindow] = []
    problems: list[WhenError] = []
    for choice in (typed, typed.in_the_afternoon()):
        try:
            options.append(_moment(spec, choice.at, phrase.next_week, now, zone))
        except WhenError as error:
            problems.append(error)
    if len(options) == 2:
        raise WhenError(WhenProblem.AMBIGUOUS, (options[0], options[1]))
    if options:
        return options[0]
    raise problems[0]


def _window(text: str, now: datetime, zone: ZoneInfo) -> TimeWindow:
    words = words_of(text)
    phrase = phrase_of(words)
    if phrase.delay is not None:  # "in 2 hours"
        moment = (now + phrase.delay).replace(second=0, microsecond=0)
        _check(moment, now)
        return TimeWindow(WhenKind.AT, moment, moment)
    plain = phrase.part is None and not phrase.next_week
    if plain and phrase.words in THIS_WEEK_WORDS:
        return window_for(WhenKind.THIS_WEEK, now, zone)
    if plain and len(phrase.words) == 1 and phrase.words[0] in TODAY_WORDS | TOMORROW_WORDS:
        kind = WhenKind.TODAY if phrase.words[0] in TODAY_WORDS else WhenKind.TOMORROW
        return window_for(kind, now, zone)
    if not phrase.words and phrase.part is not None:  # "this afternoon", "heno"
        return _span(None, phrase.part, False, now, zone)
    found = readings(phrase.words)
    if not found:
        raise WhenError(WhenProblem.UNREADABLE)
    spec, typed = found[0]
    if typed is not None:
        return _at(spec, typed, phrase, now, zone)
    return _span(spec, phrase.part, phrase.next_week, now, zone)


def parse_when(text: str, now: datetime, zone: ZoneInfo) -> TimeWindow:
    """Read a forgiving typed date and/or time in zone into a window; raises only WhenError.

    A time gives a moment (kind AT, starts_at == ends_at); a bare time rolls to tomorrow once
    passed, a weekday to next week, and "next <day>" is that day in the coming week. A date
    alone gives that whole day (from 08:00 local, or from now if it is today, to 23:59:59
    local); a part of the day (morning, afternoon, evening, tonight; bore, prynhawn, noswaith,
    heno) gives that span, and turns a following hour into the afternoon's. "in 2 hours" is a
    moment from now. An hour from 1 to 7 without am or pm raises AMBIGUOUS with both readings.
    "today", "tomorrow" and "this week" alone give the quick windows of window_for. Slashed
    dates are day first.
    """
    now = _require_aware(now)
    try:
        return _window(text, now, zone)
    except (Unreadable, ValueError, OverflowError) as exc:
        if isinstance(exc, WhenError):
            raise
        raise WhenError(WhenProblem.UNREADABLE) from exc
