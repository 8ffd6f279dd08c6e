"""How a care action ended: the outcomes the care modules and handlers share."""

from __future__ import annotations

from enum import StrEnum


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
