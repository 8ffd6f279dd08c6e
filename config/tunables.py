"""The operational knobs (durations, counts, clock times) and the configuration error type."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import time, timedelta
from pathlib import Path
from typing import Any

from config.values import DURATION_HELP, format_duration, parse_clock_time, parse_duration


class ConfigError(Exception):
    """A setting is missing or invalid; str() is one line naming the setting and the problem."""

    def __init__(self, setting: str, problem: str) -> None:
        super().__init__(setting, problem)
        self.setting = setting
        self.problem = problem

    def __str__(self) -> str:
        return " ".join(f"{self.setting}: {self.problem}".split())


def _to_duration(value: object) -> timedelta:
    result = value if isinstance(value, timedelta) else parse_duration(value)  # type: ignore[arg-type]
    if result <= timedelta(0):
        raise ValueError(f"{value!r} must be longer than zero; {DURATION_HELP}")
    return result


def _to_count(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{value!r} is not a whole number greater than zero")
    return value


def _to_clock(value: object) -> time:
    if isinstance(value, time):
        if value.tzinfo is not None or value.second or value.microsecond:
            raise ValueError(f"{value.isoformat()!r} is not a plain time of day; use HH:MM")
        return value
    return parse_clock_time(value)  # type: ignore[arg-type]


def _to_optional_path(value: object) -> Path | None:
    if value is None or isinstance(value, Path):
        return value
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a folder path; give a string (empty means no backups)")
    return Path(value.strip()) if value.strip() else None


_CONVERTERS: dict[type, Callable[[Any], object]] = {
    timedelta: _to_duration,
    time: _to_clock,
    int: _to_count,
}


@dataclass(frozen=True)
class Tunables:
    """Operational knobs; durations are timedeltas, clock times are datetime.time."""

    invite_ttl: timedelta = timedelta(days=7)
    alert_batch_size: int = 5
    alert_widening_delay: timedelta = timedelta(minutes=20)
    escalation_delay: timedelta = timedelta(hours=2)
    max_open_tasks: int = 2
    reminder_before: timedelta = timedelta(hours=1)
    overdue_after: timedelta = timedelta(hours=3)
    followup_after: timedelta = timedelta(days=1)
    checkin_grace: timedelta = timedelta(hours=1)
    escalation_resend: timedelta = timedelta(hours=2)
    buddy_ack_delay: timedelta = timedelta(minutes=30)
    relay_window: timedelta = timedelta(days=1)
    retention: timedelta = timedelta(days=90)
    quiet_hours_start: time = time(21, 0)
    quiet_hours_end: time = time(8, 0)
    digest_time: time = time(18, 0)
    fairness_window: timedelta = timedelta(days=14)
    requests_per_hour: int = 5
    messages_per_minute: int = 20
    max_text_length: int = 1000
    backup_dir: Path | None = None
    backup_keep: int = 7
    backup_interval: timedelta = timedelta(days=1)
    # Several processes: how long a partition's lease lasts unrenewed (a dead process's chats
    # wait this long before another process takes them over).
    lease_time: timedelta = timedelta(seconds=10)

    def __post_init__(self) -> None:
        for item in fields(self):
            converter = _CONVERTERS.get(type(item.default), _to_optional_path)
            try:
                converted = converter(getattr(self, item.name))
            except ValueError as exc:
                raise ConfigError(f"tunables.{item.name}", str(exc)) from None
            object.__setattr__(self, item.name, converted)

    @classmethod
    def from_mapping(cls, table: Mapping[str, Any]) -> Tunables:
        """Build Tunables from a TOML [tunables] table (keys case-insensitive), rejecting typos."""
        known = [item.name for item in fields(cls)]
        values: dict[str, Any] = {}
        for key, value in table.items():
            name = key.lower()
            if name not in known or name in values:
                problem = "is given twice" if name in values else unknown_key_problem(key, known)
                raise ConfigError(f"CONFIG_FILE [tunables].{key}", problem)
            values[name] = value
        return cls(**values)

    def summary(self) -> list[tuple[str, str]]:
        """Return (name, readable value) rows for every tunable."""
        return [(f"tunables.{item.name}", _show(getattr(self, item.name))) for item in fields(self)]


def _show(value: object) -> str:
    if isinstance(value, timedelta):
        return format_duration(value)
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return "not set" if value is None else str(value)


def unknown_key_problem(key: str, known: list[str]) -> str:
    """Why a key is refused, with the closest known one as a hint."""
    guess = difflib.get_close_matches(key.lower(), known, n=1)
    hint = f"did you mean {guess[0]}? " if guess else ""
    return f"is not a known setting ({hint}known settings: {', '.join(known)})"
