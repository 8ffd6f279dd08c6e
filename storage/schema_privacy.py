"""Schema migration 9 (privacy); storage.migrations lists it. Never change it once released."""

from __future__ import annotations

MIGRATION_9_PRIVACY: tuple[str, ...] = ()
