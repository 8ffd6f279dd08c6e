"""A person: one Telegram user who has started the bot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Person:
    """A person as stored; names and phone exist only after consent."""

    id: int
    telegram_id: int
    display_name: str | None
    language: str | None
    phone_e164: str | None
    consent_at: datetime | None
    consent_version: str | None
    declined_at: datetime | None
    unreachable: bool

    @property
    def has_consented(self) -> bool:
        """Whether the person agreed to the privacy notice."""
        return self.consent_at is not None
