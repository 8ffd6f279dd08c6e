"""Schema migration 13 (deployment settings); storage.migrations lists it. Never change it."""

from __future__ import annotations

MIGRATION_13_DEPLOYMENT: tuple[str, ...] = (
    # Settings of the whole deployment that SQL-side rules read, written at every start-up from
    # the settings file: the default quiet hours ('HH:MM') and the time zone they are in. Every
    # process sharing the database reads the same values (no module-level defaults).
    """
    CREATE TABLE deployment_settings (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )
    """,
)
