"""How long something took or waited, as people say it, in the current language."""

from __future__ import annotations

from config import number_texts


def duration_words(seconds: float) -> str:
    """'under a minute', '45 minutes', '3 hours', '2 hours 5 minutes' or '2 days 3 hours'.

    Days are used from 48 hours on; counts take their plural form from the catalog.
    """
    if seconds < 60:
        return number_texts.DURATION_UNDER_A_MINUTE
    minutes = int(seconds // 60)
    if minutes < 60:
        return number_texts.DURATION_MINUTES(minutes)
    hours, minutes = divmod(minutes, 60)
    if hours >= 48:
        days, hours = divmod(hours, 24)
        if hours:
            return number_texts.DURATION_PAIR.format(
                larger=number_texts.DURATION_DAYS(days), smaller=number_texts.DURATION_HOURS(hours)
            )
        return number_texts.DURATION_DAYS(days)
    if minutes:
        return number_texts.DURATION_PAIR.format(
            larger=number_texts.DURATION_HOURS(hours),
            smaller=number_texts.DURATION_MINUTES(minutes),
        )
    return number_texts.DURATION_HOURS(hours)
