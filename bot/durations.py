"""How long something has waited, as people say it, in the current language."""

from __future__ import annotations

from config import request_texts as rt


def duration_words(seconds: float) -> str:
    """'45 min', '3 h', '2 h 5 min' or '2 days 3 h' (days from 48 hours)."""
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
