"""Schema migration 6 (roles, vetting, settings); storage.migrations lists it. Never change it."""

from __future__ import annotations

MIGRATION_6_VETTING: tuple[str, ...] = (
    # Per-neighbourhood overrides of deployment tunables; NULL means the deployment default.
    "ALTER TABLE neighbourhoods ADD COLUMN quiet_hours_start TEXT",  # 'HH:MM' local time
    "ALTER TABLE neighbourhoods ADD COLUMN quiet_hours_end TEXT",
    "ALTER TABLE neighbourhoods ADD COLUMN alert_widening_delay_s INTEGER",
    "ALTER TABLE neighbourhoods ADD COLUMN escalation_delay_s INTEGER",
)
