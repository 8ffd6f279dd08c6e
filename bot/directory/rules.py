"""What a valid asset is: kinds, visibilities, lengths, tags and contact parsing."""

from __future__ import annotations

from config import asset_texts, request_texts

KINDS: tuple[str, ...] = tuple(asset_texts.KIND_LABELS)
VISIBILITIES: tuple[str, ...] = tuple(asset_texts.VISIBILITY_LABELS)
STATUSES: tuple[str, ...] = tuple(asset_texts.STATUS_LABELS)
# Kinds that are an organisation or a place, so they need a named contact, not a person.
CONTACT_KINDS = frozenset({"associational", "organisational", "physical", "economic"})

TITLE_MIN = 3
TITLE_MAX = 80
DESCRIPTION_MAX = 500
AVAILABILITY_MAX = 120
CONTACT_MAX = 200
TAGS_MAX = 10
TAG_LENGTH = 30


class InvalidAssetError(ValueError):
    """A value an asset cannot take; the message is a friendly text for the person."""


def clean_text(value: str, limit: int, minimum: int = 0) -> str:
    """Trim and collapse spaces; refuse text that is too long or too short."""
    clean = " ".join(value.split())
    if len(clean) > limit:
        raise InvalidAssetError(asset_texts.TOO_LONG.format(limit=limit))
    if len(clean) < minimum:
        raise InvalidAssetError(asset_texts.TOO_SHORT.format(minimum=minimum))
    return clean


def clean_title(value: str) -> str:
    """A valid title."""
    return clean_text(value, TITLE_MAX, TITLE_MIN)


def clean_tags(value: str) -> str:
    """Tags as stored: comma-separated, trimmed, without repeats (case-insensitive)."""
    tags: dict[str, str] = {}
    for raw in value.split(","):
        tag = " ".join(raw.split())
        if tag:
            tags.setdefault(tag.lower(), tag)
    if len(tags) > TAGS_MAX or any(len(tag) > TAG_LENGTH for tag in tags.values()):
        raise InvalidAssetError(asset_texts.TOO_MANY_TAGS.format(limit=TAGS_MAX, length=TAG_LENGTH))
    return ", ".join(tags.values())


def split_contact(value: str) -> tuple[str, str]:
    """(name, details) from 'Name, phone or e-mail'; everything is the name without a comma."""
    clean = clean_text(value, CONTACT_MAX, 2)
    name, _, details = clean.partition(",")
    return name.strip(), details.strip()


def choice(value: str, allowed: tuple[str, ...], what: str) -> str:
    """A value from a fixed list, case-insensitive."""
    clean = value.strip().lower()
    if clean not in allowed:
        raise InvalidAssetError(
            request_texts.CSV_ROW_UNKNOWN_VALUE.format(
                what=what, value=value.strip(), allowed=", ".join(allowed)
            )
        )
    return clean
