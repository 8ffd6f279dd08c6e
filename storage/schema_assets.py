"""Schema migration 4 (asset register); storage.migrations lists it. Never change it."""

from __future__ import annotations

MIGRATION_4_ASSETS: tuple[str, ...] = (
    # Read by /settings (organiser tools) and by /offer: may members publish without approval?
    "ALTER TABLE neighbourhoods ADD COLUMN assets_self_publish INTEGER NOT NULL DEFAULT 0",
)
