"""Welfare check-ins: the schedule, each day's occurrence and the escalation it raises."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class CheckIn:
    """One person's recurring check-in as stored."""

    id: int
    person_id: int
    neighbourhood_id: int
    days: int  # bit 0 = Monday
    at_time: str  # 'HH:MM' local
    buddy_person_id: int | None
    emergency_contact: str | None
    paused_until: date | None  # inclusive local date
    active: bool
    phone_e164: str | None = None  # the number to ring if there is no answer
    address: str | None = None  # the door a volunteer may knock at


@dataclass(frozen=True)
class Occurrence:
    """One day's check-in question and its answer."""

    id: int
    checkin_id: int
    local_date: date
    due_at: datetime
    state: str  # asked | reasked | answered | missed
    asked_at: datetime
    answer: str | None
    request_id: int | None


@dataclass(frozen=True)
class Escalation:
    """A missed check-in handed to people: open until someone records an outcome."""

    id: int
    occurrence_id: int
    checkin_id: int
    neighbourhood_id: int
    first_told: str
    resends: int
    acknowledged_by: int | None
    acknowledged_at: datetime | None
    outcome: str | None
    created_at: datetime
