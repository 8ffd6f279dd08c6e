"""Neighbourhoods and their invite codes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Neighbourhood:
    """A neighbourhood group with its optional volunteers' chat."""

    id: int
    name: str
    open_to_self_join: bool
    volunteers_chat_id: int | None


@dataclass(frozen=True)
class Invite:
    """An invite code for joining one neighbourhood."""

    code: str
    neighbourhood_id: int
    expires_at: datetime | None
    revoked_at: datetime | None
    uses: int
