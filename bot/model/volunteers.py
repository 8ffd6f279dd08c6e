"""Volunteers: what they offer, how matching sees them, and the checks organisers record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class VolunteerProfile:
    """A volunteer's offer, as stored."""

    person_id: int
    categories: frozenset[str]
    availability: int
    max_open_tasks: int
    languages: tuple[str, ...]
    share_phone: bool
    paused_until: datetime | None
    skills: tuple[str, ...] = ()


@dataclass(frozen=True)
class MatchCandidate:
    """One eligible volunteer, with the numbers matching ranked them by."""

    person_id: int
    telegram_id: int
    recent_tasks: int
    helped_before: bool
    shares_language: bool


CHECK_KINDS = ("id", "refs", "dbs")


DBS_LEVELS = ("basic", "standard", "enhanced")


@dataclass(frozen=True)
class RecordedCheck:
    """One check an organiser recorded for a volunteer in a neighbourhood."""

    kind: str
    dbs_date: date | None
    dbs_level: str | None


@dataclass(frozen=True)
class VolunteerSummary:
    """A volunteer of a neighbourhood with what they offer, for organisers' lists."""

    person_id: int
    telegram_id: int
    display_name: str | None
    status: str
    categories: tuple[str, ...]
    languages: tuple[str, ...]
