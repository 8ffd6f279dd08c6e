"""Schema migration 5 (care); storage.migrations lists it. Never change it once released."""

from __future__ import annotations

MIGRATION_5_CARE: tuple[str, ...] = (
    # Quiet hours: a held outbox call is not sent before this UTC time (NULL: at once).
    "ALTER TABLE outbox ADD COLUMN not_before TEXT",
    """
    CREATE TABLE checkins (
        id INTEGER PRIMARY KEY,
        person_id INTEGER NOT NULL UNIQUE REFERENCES people(id) ON DELETE CASCADE,
        neighbourhood_id INTEGER NOT NULL REFERENCES neighbourhoods(id) ON DELETE CASCADE,
        days INTEGER NOT NULL CHECK (days BETWEEN 1 AND 127),  -- bit 0 = Monday
        at_time TEXT NOT NULL,  -- 'HH:MM' local wall-clock time
        buddy_person_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
        emergency_contact TEXT,
        paused_until TEXT,  -- local date 'YYYY-MM-DD', inclusive
        active INTEGER NOT NULL DEFAULT 1,
        created_by INTEGER REFERENCES people(id) ON DELETE SET NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX checkins_by_neighbourhood ON checkins (neighbourhood_id, active)",
    """
    CREATE TABLE checkin_occurrences (
        id INTEGER PRIMARY KEY,
        checkin_id INTEGER NOT NULL REFERENCES checkins(id) ON DELETE CASCADE,
        local_date TEXT NOT NULL,
        due_at TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'asked'
            CHECK (state IN ('asked', 'reasked', 'answered', 'missed')),
        asked_at TEXT NOT NULL,
        asked_outbox_id INTEGER,
        reasked_at TEXT,
        reasked_outbox_id INTEGER,
        answer TEXT CHECK (answer IN ('ok', 'chat', 'help')),
        answered_at TEXT,
        request_id INTEGER REFERENCES help_requests(id) ON DELETE SET NULL,
        UNIQUE (checkin_id, local_date)
    )
    """,
    "CREATE INDEX checkin_occurrences_by_state ON checkin_occurrences (state, asked_at)",
    """
    CREATE TABLE checkin_escalations (
        id INTEGER PRIMARY KEY,
        occurrence_id INTEGER NOT NULL UNIQUE REFERENCES checkin_occurrences(id)
            ON DELETE CASCADE,
        checkin_id INTEGER NOT NULL REFERENCES checkins(id) ON DELETE CASCADE,
        neighbourhood_id INTEGER NOT NULL REFERENCES neighbourhoods(id) ON DELETE CASCADE,
        first_told TEXT NOT NULL CHECK (first_told IN ('buddy', 'organisers')),
        resends INTEGER NOT NULL DEFAULT 0,
        acknowledged_by INTEGER,  -- Telegram id
        acknowledged_at TEXT,
        outcome TEXT CHECK (outcome IN ('reached', 'visited', 'services')),
        outcome_by INTEGER,
        outcome_at TEXT,
        created_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX checkin_escalations_open ON checkin_escalations (neighbourhood_id, outcome)",
)
