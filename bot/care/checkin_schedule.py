"""Check-in schedules: days of the week and a local time, turned into UTC moments.

A daily 10:00 check-in is 10:00 local time on both sides of a clock change; a time that does
not exist locally (the spring gap) moves to the next valid minute (bot.when.local_to_utc).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.model.checkins import CheckIn
from bot.when import local_to_utc
from config import care_texts

ALL_DAYS = 0b1111111
WEEKDAYS = 0b0011111
_TIME = re.compile(r"^\s*(\d{1,2})(?:[:.](\d{2}))?\s*([ap])?\.?\s*(?:m\.?)?\s*$")


def parse_time_of_day(text: str) -> time | None:
    """'10', '10:00', '9.30am', '7 pm' as a time of day; None if unreadable."""
    match = _TIME.match(text.lower()) if len(text) <= 20 else None
    if match is None:
        return None
    hour, minute, half = int(match[1]), int(match[2] or 0), match[3]
    if minute > 59:
        return None
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "p" else 0)
    if hour > 23:
        return None
    return time(hour, minute)


def hhmm(moment: time) -> str:
    """A time as 'HH:MM'."""
    return f"{moment.hour:02d}:{moment.minute:02d}"


def days_text(days: int) -> str:
    """'every day', 'Mon–Fri' or 'Mon, Wed, Fri'."""
    if days == ALL_DAYS:
        return care_texts.EVERY_DAY
    if days == WEEKDAYS:
        return care_texts.BUTTON_WEEKDAYS
    return ", ".join(name for bit, name in enumerate(care_texts.DAY_NAMES) if days & (1 << bit))


def schedule_text(checkin: CheckIn) -> str:
    """'Mon, Wed, Fri at 10:00'."""
    return care_texts.CHECKIN_SCHEDULE.format(days=days_text(checkin.days), time=checkin.at_time)


def _at_time(checkin: CheckIn) -> time:
    hours, minutes = checkin.at_time.split(":")
    return time(int(hours), int(minutes))


def next_occurrence(
    checkin: CheckIn, after: datetime, zone: ZoneInfo
) -> tuple[date, datetime] | None:
    """The first scheduled (local date, UTC moment) strictly after `after`, skipping a pause."""
    if not checkin.active or not checkin.days:
        return None
    day = after.astimezone(zone).date() - timedelta(days=1)  # a gap time may fall on the next day
    if checkin.paused_until is not None and checkin.paused_until >= day:
        day = checkin.paused_until + timedelta(days=1)
    at = _at_time(checkin)
    for offset in range(9):
        candidate = day + timedelta(days=offset)
        if not checkin.days & (1 << candidate.weekday()):
            continue
        moment = local_to_utc(candidate, at, zone)
        if moment > after:
            return candidate, moment
    return None
