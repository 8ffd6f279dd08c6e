"""Schema migration 6 (vetting); storage.migrations lists it. Never change it once released."""

from __future__ import annotations

MIGRATION_6_VETTING: tuple[str, ...] = ()
