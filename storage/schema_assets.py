"""Schema migration 4 (assets); storage.migrations lists it. Never change it once released."""

from __future__ import annotations

MIGRATION_4_ASSETS: tuple[str, ...] = ()
