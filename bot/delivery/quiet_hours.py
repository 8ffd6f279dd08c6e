"""Quiet hours: non-urgent messages wait until the end of the local night.

The deployment's default window and time zone are installed at start-up (Care does it); a
neighbourhood's 'HH:MM' override wins where set. A window whose start equals its end means
no quiet hours. Urgent messages (a resident asking for help, escalations, answers to what a
person just did) are never held: only the purposes in HELD_PURPOSES are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.when import local_to_utc
from storage.care import reports as care_reports
from storage.database import Connection

# Outbox purposes that wait for the end of quiet hours: alerts and group posts about
# requests, task reminders and nudges, the next-day follow-up and the organiser digest.
HELD_PURPOSES = frozenset({"alert", "group", "reminder", "followup", "digest"})


@dataclass(frozen=True)
class QuietWindow:
    """A nightly quiet window in local wall-clock time."""

    start: time
    end: time
    zone: ZoneInfo

    def ends_after(self, now: datetime) -> datetime | None:
        """If `now` falls in quiet hours, the UTC moment they end; else None."""
        if self.start == self.end:
            return None
        local = now.astimezone(self.zone)
        clock, today = local.time(), local.date()
        if self.start < self.end:  # a window within one day, such as 01:00-06:00
            inside = self.start <= clock < self.end
            end_day = today
        elif clock >= self.start:  # evening part of a window across midnight
            inside, end_day = True, today + timedelta(days=1)
        else:
            inside, end_day = clock < self.end, today
        return local_to_utc(end_day, self.end, self.zone) if inside else None

    def awake_at(self, moment: datetime) -> datetime:
        """`moment`, or the end of the quiet hours it falls in."""
        return self.ends_after(moment) or moment


_defaults: QuietWindow | None = None


def install(start: time, end: time, zone: ZoneInfo) -> None:
    """Set the deployment's default quiet hours (called once the settings are known)."""
    global _defaults
    _defaults = QuietWindow(start, end, zone)


def parse_hhmm(text: str | None) -> time | None:
    """'21:30' as a time; None for None or anything unreadable."""
    if not text:
        return None
    try:
        hours, minutes = text.strip().split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        return None


def window(override: tuple[str | None, str | None]) -> QuietWindow | None:
    """The quiet window from an override pair, else the installed default (None if neither)."""
    if _defaults is None:
        return None
    start, end = parse_hhmm(override[0]), parse_hhmm(override[1])
    if start is None or end is None:
        return _defaults
    return QuietWindow(start, end, _defaults.zone)


async def for_neighbourhood(conn: Connection, neighbourhood_id: int) -> QuietWindow | None:
    """The quiet window of one neighbourhood."""
    return window(await care_reports.quiet_hours_of(conn, neighbourhood_id))


async def hold_until(
    conn: Connection,
    chat_id: int,
    purpose: str,
    now: datetime,
    neighbourhood_id: int | None = None,
) -> datetime | None:
    """When a message with this purpose may go to this chat, if it must wait; else None."""
    if purpose not in HELD_PURPOSES or _defaults is None:
        return None
    if neighbourhood_id is not None:
        quiet = await for_neighbourhood(conn, neighbourhood_id)
    else:
        quiet = window(await care_reports.quiet_hours_for_chat(conn, chat_id))
    return quiet.ends_after(now) if quiet else None
