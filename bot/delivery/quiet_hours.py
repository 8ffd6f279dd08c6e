"""Quiet hours: non-urgent messages wait until the end of the local night.

The deployment's default window and time zone are recorded in the database at start-up (from
the settings, by Care); a neighbourhood's 'HH:MM' override wins where set. A window whose start
equals its end means no quiet hours. Urgent messages (a resident asking for help, escalations,
answers to what a person just did) are never held: only the purposes in HELD_PURPOSES are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.when import local_to_utc
from storage.care import reports as care_reports
from storage.database import Connection, Tx

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


def parse_hhmm(text: str | None) -> time | None:
    """'21:30' as a time; None for None or anything unreadable."""
    if not text:
        return None
    try:
        hours, minutes = text.strip().split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        return None


def window(settings: care_reports.QuietSettings) -> QuietWindow | None:
    """The override's quiet window, else the deployment's (None before it is recorded)."""
    default_start, default_end = (
        parse_hhmm(settings.default_start),
        parse_hhmm(settings.default_end),
    )
    if default_start is None or default_end is None or not settings.zone:
        return None
    start, end = parse_hhmm(settings.start), parse_hhmm(settings.end)
    if start is None or end is None:
        start, end = default_start, default_end
    return QuietWindow(start, end, ZoneInfo(settings.zone))


async def record_defaults(conn: Connection, start: time, end: time, zone: ZoneInfo) -> None:
    """Record the deployment's default quiet hours (at start-up, from the settings)."""
    await care_reports.save_quiet_defaults(
        conn, start.strftime("%H:%M"), end.strftime("%H:%M"), zone.key
    )


async def for_neighbourhood(conn: Connection, neighbourhood_id: int) -> QuietWindow | None:
    """The quiet window of one neighbourhood."""
    return window(await care_reports.quiet_hours_of(conn, neighbourhood_id))


async def hold_until(
    tx: Tx,
    chat_id: int,
    purpose: str,
    neighbourhood_id: int | None = None,
) -> datetime | None:
    """When a message with this purpose may go to this chat, if it must wait; else None."""
    if purpose not in HELD_PURPOSES:
        return None
    if neighbourhood_id is not None:
        quiet = await for_neighbourhood(tx, neighbourhood_id)
    else:
        quiet = window(await care_reports.quiet_hours_for_chat(tx, chat_id))
    return quiet.ends_after(tx.now) if quiet else None
