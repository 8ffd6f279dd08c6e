"""What the request lifecycle takes and answers: drafts, outcomes and results."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.when import TimeWindow
from storage.help_requests import HelpRequest


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


@dataclass(frozen=True)
class Created:
    """A confirmed request: its reference and how many volunteers were alerted."""

    request_id: int
    ref: str
    alerted: int
