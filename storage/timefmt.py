"""UTC timestamps as sortable text: the only time format stored in the database."""

from __future__ import annotations

from datetime import UTC, datetime

_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def to_db(moment: datetime) -> str:
    """Render an aware datetime as fixed-width UTC text."""
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are not stored; pass an aware UTC time")
    return moment.astimezone(UTC).strftime(_FORMAT)


def from_db(text: str) -> datetime:
    """Parse stored UTC text back into an aware datetime."""
    return datetime.strptime(text, _FORMAT).replace(tzinfo=UTC)


def optional_from_db(text: str | None) -> datetime | None:
    """Parse stored UTC text, passing None through."""
    return None if text is None else from_db(text)
