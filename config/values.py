"""Value types and parsers behind the settings: secrets, durations and clock times."""

from __future__ import annotations

import math
import re
from datetime import time, timedelta

_DURATION_PART_RE = re.compile(r"(\d+(?:\.\d+)?)\s*([wdhms])")
_DURATION_RE = re.compile(r"(?:\s*\d+(?:\.\d+)?\s*[wdhms])+\s*")
_PLAIN_NUMBER_RE = re.compile(r"\d+(?:\.\d+)?")
_CLOCK_RE = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
_UNIT_SECONDS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}
DURATION_HELP = "use seconds or a form like 90s, 20m, 1h30m, 2h, 7d, 1w or '1d 2h'"


class Secret:
    """A string that never shows itself in repr() or str(); call reveal() to use it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError("Secret wraps a str")
        self._value = value

    def reveal(self) -> str:
        """Return the wrapped value."""
        return self._value

    def masked(self) -> str:
        """Return only the part before the first colon followed by ':****'."""
        prefix, colon, _ = self._value.partition(":")
        return f"{prefix}:****" if colon else "****"

    def __repr__(self) -> str:
        return "Secret('****')"

    def __str__(self) -> str:
        return "****"


def parse_duration(value: int | float | str) -> timedelta:
    """Parse seconds (a number) or a string like '90', '20m', '1h30m', '1d 2h' into a timedelta."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str) and _PLAIN_NUMBER_RE.fullmatch(value.strip()):
        seconds = float(value.strip())
    elif isinstance(value, str) and _DURATION_RE.fullmatch(value.lower()):
        parts = _DURATION_PART_RE.findall(value.lower())
        if len({unit for _, unit in parts}) != len(parts):
            raise ValueError(f"{value!r} repeats a unit; {DURATION_HELP}")
        seconds = sum(float(number) * _UNIT_SECONDS[unit] for number, unit in parts)
    else:
        raise ValueError(f"{value!r} is not a duration; {DURATION_HELP}")
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"{value!r} is not a duration; give a non-negative number of seconds")
    try:
        return timedelta(seconds=seconds)
    except OverflowError:
        raise ValueError(f"{value!r} is too long to be a duration") from None


def format_duration(value: timedelta) -> str:
    """Format a timedelta compactly for people, e.g. '20m', '1h30m', '7d', '45s'."""
    total = value.total_seconds()
    if total == 0:
        return "0s"
    sign = "-" if total < 0 else ""
    whole, fraction = divmod(abs(value) // timedelta(microseconds=1), 1_000_000)
    parts: list[str] = []
    for unit in ("d", "h", "m"):
        count, whole = divmod(whole, _UNIT_SECONDS[unit])
        if count:
            parts.append(f"{count}{unit}")
    if fraction:
        parts.append(f"{whole + fraction / 1_000_000:g}s")
    elif whole:
        parts.append(f"{whole}s")
    return sign + "".join(parts)


def parse_clock_time(value: str) -> time:
    """Parse a 24-hour 'HH:MM' string into a datetime.time."""
    match = _CLOCK_RE.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise ValueError(
            f"{value!r} is not a time of day; use 24-hour HH:MM such as 08:00 or 21:30"
        )
    return time(int(match.group(1)), int(match.group(2)))
