"""Schema migration 6 (roles, vetting, settings); storage.migrations lists it. Never change it."""

from __future__ import annotations

MIGRATION_6_VETTING: tuple[str, ...] = (
    # Per-neighbourhood overrides of deployment tunables; NULL means the deployment default.
    "ALTER TABLE neighbourhoods ADD COLUMN quiet_hours_start TEXT",  # 'HH:MM' local time
    "ALTER TABLE neighbourhoods ADD COLUMN quiet_hours_end TEXT",
    "ALTER TABLE neighbourhoods ADD COLUMN alert_widening_delay_s INTEGER",
    "ALTER TABLE neighbourhoods ADD COLUMN escalation_delay_s INTEGER",
    # Checks organisers recorded for a volunteer, per neighbourhood (its organisers did them).
    """
    CREATE TABLE volunteer_checks (
        person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        neighbourhood_id INTEGER NOT NULL REFERENCES neighbourhoods(id) ON DELETE CASCADE,
        check_kind TEXT NOT NULL CHECK (check_kind IN ('id', 'refs', 'dbs')),
        dbs_date TEXT,
        dbs_level TEXT CHECK (dbs_level IN ('basic', 'standard', 'enhanced')),
        recorded_by INTEGER,
        recorded_at TEXT NOT NULL,
        PRIMARY KEY (person_id, neighbourhood_id, check_kind)
    ) WITHOUT ROWID
    """,
    # Checks a volunteer must hold before matching offers them a category of request.
    """
    CREATE TABLE required_checks (
        neighbourhood_id INTEGER NOT NULL REFERENCES neighbourhoods(id) ON DELETE CASCADE,
        category TEXT NOT NULL,
        check_kind TEXT NOT NULL CHECK (check_kind IN ('id', 'refs', 'dbs')),
        PRIMARY KEY (neighbourhood_id, category, check_kind)
    ) WITHOUT ROWID
    """,
)
