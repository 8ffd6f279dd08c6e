"""Schema migration 8 (reliability); storage.migrations lists it. Never change it once released."""

from __future__ import annotations

MIGRATION_8_RELIABILITY: tuple[str, ...] = ()
