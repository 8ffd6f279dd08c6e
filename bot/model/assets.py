"""The community directory's entries, and the words its search reads."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import datetime

VOLUNTEER_OFFER = "volunteer_offer"  # source of assets derived from a volunteer's offer


@dataclass(frozen=True)
class AssetFields:
    """The editable part of an asset."""

    kind: str
    title: str
    description: str = ""
    tags: str = ""
    availability: str = ""
    visibility: str = "members"
    contact_name: str = ""
    contact_details: str = ""


@dataclass(frozen=True)
class Asset:
    """One asset as stored, with its neighbourhood's name and its owner's Telegram id."""

    id: int
    neighbourhood_id: int
    neighbourhood_name: str
    owner_person_id: int | None
    owner_telegram_id: int | None
    owner_name: str | None
    kind: str
    title: str
    description: str
    tags: str
    availability: str
    visibility: str
    status: str
    contact_name: str
    contact_details: str
    source: str
    verified_at: datetime | None
    verified_by: int | None
    created_at: datetime
    updated_at: datetime

    @property
    def fields(self) -> AssetFields:
        """The editable part."""
        return AssetFields(**{f.name: getattr(self, f.name) for f in fields(AssetFields)})


MAX_WORDS = 8


WORD_LENGTH = 40


def words_of(text: str) -> list[str]:
    """The search words in a text (letters and digits), lower case, at most MAX_WORDS."""
    return [w[:WORD_LENGTH] for w in re.findall(r"\w+", text.lower())[:MAX_WORDS]]
