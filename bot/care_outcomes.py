"""Small pieces the care modules and handlers share: outcomes and durations in words."""

from __future__ import annotations

from enum import StrEnum

from config import request_texts as rt


class CareOutcome(StrEnum):
    """How a check-in or escalation action ended."""

    OK = "ok"
    UNKNOWN = "unknown"
    NOT_ALLOWED = "not_allowed"
    NOT_MEMBER = "not_member"
    NO_CHECKIN = "no_checkin"
    NOT_VOLUNTEER = "not_volunteer"
    ALREADY = "already"
    NEEDS_ACK = "needs_ack"
    CLOSED = "closed"


def duration_words(seconds: float) -> str:
    """'45 min', '3 h', '2 h 5 min' or '2 days 3 h', in the current language."""
    minutes = max(0, int(seconds // 60))
    if minutes < 60:
        return rt.DURATION_MINUTES.format(minutes=minutes)
    hours, minutes = divmod(minutes, 60)
    if hours >= 48:
        days, hours = divmod(hours, 24)
        if hours:
            return rt.DURATION_DAYS_HOURS.format(days=days, hours=hours)
        return rt.DURATION_DAYS.format(days=days)
    if minutes:
        return rt.DURATION_HOURS_MINUTES.format(hours=hours, minutes=minutes)
    return rt.DURATION_HOURS.format(hours=hours)
