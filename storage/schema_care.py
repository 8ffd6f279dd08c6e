"""Schema migration 5 (care); storage.migrations lists it. Never change it once released."""

from __future__ import annotations

MIGRATION_5_CARE: tuple[str, ...] = ()
