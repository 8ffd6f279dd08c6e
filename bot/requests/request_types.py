"""What the request lifecycle takes and answers: drafts, outcomes and results."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.model.requests import HelpRequest, NewRequest
from bot.when import TimeWindow


class Outcome(StrEnum):
    """How a press on a request or task ended."""

    OK = "ok"
    TAKEN = "taken"
    CANCELLED = "cancelled"
    NOT_ELIGIBLE = "not_eligible"
    AT_LIMIT = "at_limit"
    OWN_REQUEST = "own_request"
    NOT_YOURS = "not_yours"
    NO_LONGER_POSSIBLE = "no_longer_possible"
    TOO_LATE = "too_late"
    ALREADY = "already"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Result:
    """An outcome with the request it concerned (None when there was no such request)."""

    outcome: Outcome
    request: HelpRequest | None = None


@dataclass(frozen=True)
class RequestDraft:
    """Everything the request conversation collected, ready to confirm."""

    neighbourhood_id: int
    category: str
    description: str
    window: TimeWindow
    contact_phone: str | None
    telegram_only: bool
    address: str | None
    payment_method: str | None = None
    pharmacy: str | None = None
    for_name: str | None = None
    for_phone: str | None = None
    media: tuple[tuple[str, str], ...] = ()  # (kind, Telegram file_id) of photos and voice notes

    def new_request(self, requester_person_id: int, *, phone_in: bool = False) -> NewRequest:
        """The row to store for this draft, made by this requester."""
        return NewRequest(
            neighbourhood_id=self.neighbourhood_id,
            requester_person_id=requester_person_id,
            category=self.category,
            description=self.description,
            when_kind=self.window.kind.value,
            starts_at=self.window.starts_at,
            ends_at=self.window.ends_at,
            contact_phone=self.contact_phone,
            telegram_only=self.telegram_only,
            address=self.address,
            payment_method=self.payment_method,
            pharmacy=self.pharmacy,
            for_name=self.for_name,
            for_phone=self.for_phone,
            phone_in=phone_in,
            media=self.media,
        )


@dataclass(frozen=True)
class Created:
    """A confirmed request: its reference and how many volunteers were alerted."""

    request_id: int
    ref: str
    alerted: int
    request: HelpRequest | None = None
    alerts_at: datetime | None = None  # quiet hours: when the held alerts will go
