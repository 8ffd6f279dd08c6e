"""Versioned button data: `v1|kind|arg|...`, never trusted, always re-checked on the server."""

from __future__ import annotations

import re

VERSION = "v1"
SEPARATOR = "|"
MAX_BYTES = 64


def pack(kind: str, *args: str | int) -> str:
    """Build button data for a kind of action and its arguments."""
    data = SEPARATOR.join([VERSION, kind, *(str(a) for a in args)])
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"button data too long for Telegram: {data!r}")
    return data


def unpack(data: str | None) -> tuple[str, list[str]] | None:
    """Split button data into its kind and arguments; None if it is not ours or outdated."""
    if not data:
        return None
    parts = data.split(SEPARATOR)
    if len(parts) < 2 or parts[0] != VERSION or not parts[1]:
        return None
    return parts[1], parts[2:]


def pattern(kind: str) -> str:
    """A regular expression matching button data of one kind, for CallbackQueryHandler."""
    return rf"^{VERSION}\|{kind}(\||$)"


def exact(kind: str, *args: str | int) -> str:
    """A regular expression matching exactly this button data."""
    return "^" + re.escape(pack(kind, *args)) + "$"


_ID = re.compile(r"[0-9]{1,18}")


def int_arg(text: str) -> int | None:
    """A button or command argument as a stored id or count: ASCII digits, small enough for SQLite.

    None otherwise ('²'.isdigit() is true but int('²') raises; 20 digits overflow SQLite).
    """
    return int(text) if _ID.fullmatch(text) else None
