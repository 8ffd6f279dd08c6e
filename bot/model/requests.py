"""Help requests as the domain names them: what was asked, by whom, and its state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

REF_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: easy to read over the phone


@dataclass(frozen=True)
class HelpRequest:
    """One request as stored."""

    id: int
    ref: str
    neighbourhood_id: int
    requester_person_id: int | None
    category: str
    description: str | None
    when_kind: str
    starts_at: datetime
    ends_at: datetime
    contact_phone: str | None
    telegram_only: bool
    address: str | None
    payment_method: str | None
    pharmacy: str | None
    for_name: str | None
    for_phone: str | None
    status: str
    assignee_person_id: int | None
    escalated: bool
    alert_round: int
    amount_spent_pence: int | None
    thanked: bool
    created_at: datetime
    accepted_at: datetime | None
    done_at: datetime | None
    phone_in: bool = False  # logged by an organiser for a neighbour without Telegram
    urgent: bool = False  # alerts and organisers are told at once, even in quiet hours
    alerts_from: datetime | None = None  # when the first alerts went (or will go)
    media: tuple[tuple[str, str], ...] = ()  # (kind, Telegram file_id): a photo or voice note


@dataclass(frozen=True)
class NewRequest:
    """What a confirmed draft stores."""

    neighbourhood_id: int
    requester_person_id: int | None
    category: str
    description: str
    when_kind: str
    starts_at: datetime
    ends_at: datetime
    contact_phone: str | None
    telegram_only: bool
    address: str | None
    payment_method: str | None
    pharmacy: str | None
    for_name: str | None
    for_phone: str | None
    phone_in: bool = False
    media: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Alert:
    """One alert message about a request: to a volunteer's DM, or (person None) to the group."""

    person_id: int | None
    chat_id: int
    outbox_id: int
    response: str | None
