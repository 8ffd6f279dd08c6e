"""Schema migration 7 (oversight); storage.migrations lists it. Never change it once released."""

from __future__ import annotations

MIGRATION_7_OVERSIGHT: tuple[str, ...] = ()
