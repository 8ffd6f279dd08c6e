"""Numbered schema migrations; MIGRATIONS[n] takes the database from version n to n + 1.

Each migration runs in its own transaction and never changes once released: add a new one.
Times are stored as UTC text in the fixed format of storage.timefmt, so they sort correctly.
"""

from __future__ import annotations

MIGRATION_1_FOUNDATION: tuple[str, ...] = (
    """
    CREATE TABLE people (
        id INTEGER PRIMARY KEY,
        telegram_id INTEGER NOT NULL UNIQUE,
        display_name TEXT,
        language TEXT,
        phone_e164 TEXT,
        consent_at TEXT,
        consent_version TEXT,
        declined_at TEXT,
        unreachable INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE neighbourhoods (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        open_to_self_join INTEGER NOT NULL DEFAULT 1,
        volunteers_chat_id INTEGER UNIQUE,
        created_by INTEGER REFERENCES people(id) ON DELETE SET NULL,
        created_at TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE memberships (
        person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        neighbourhood_id INTEGER NOT NULL REFERENCES neighbourhoods(id) ON DELETE CASCADE,
        role TEXT NOT NULL CHECK (role IN ('member', 'organiser')),
        joined_at TEXT NOT NULL,
        PRIMARY KEY (person_id, neighbourhood_id)
    )
    """,
    "CREATE INDEX memberships_by_neighbourhood ON memberships (neighbourhood_id, role)",
    """
    CREATE TABLE invites (
        code TEXT PRIMARY KEY,
        neighbourhood_id INTEGER NOT NULL REFERENCES neighbourhoods(id) ON DELETE CASCADE,
        created_by INTEGER REFERENCES people(id) ON DELETE SET NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT,
        revoked_at TEXT,
        uses INTEGER NOT NULL DEFAULT 0
    )
    """,
    """
    CREATE TABLE scheduled_jobs (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        target TEXT NOT NULL DEFAULT '',
        due_at TEXT NOT NULL,
        payload TEXT NOT NULL DEFAULT '{}',
        state TEXT NOT NULL DEFAULT 'pending'
            CHECK (state IN ('pending', 'fired', 'cancelled')),
        attempts INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        fired_at TEXT
    )
    """,
    "CREATE INDEX scheduled_jobs_pending ON scheduled_jobs (state, due_at)",
    "CREATE INDEX scheduled_jobs_by_target ON scheduled_jobs (kind, target, state)",
    """
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        chat_id INTEGER NOT NULL,
        method TEXT NOT NULL,
        params TEXT NOT NULL,
        purpose TEXT NOT NULL DEFAULT '',
        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        sent_message_id INTEGER,
        created_at TEXT NOT NULL,
        sent_at TEXT
    )
    """,
    "CREATE INDEX outbox_pending ON outbox (state, id)",
    """
    CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor_telegram_id INTEGER,
        action TEXT NOT NULL,
        subject TEXT NOT NULL,
        before TEXT,
        after TEXT
    )
    """,
    "CREATE INDEX audit_by_subject ON audit_log (subject, id)",
)

MIGRATIONS: tuple[tuple[str, ...], ...] = (MIGRATION_1_FOUNDATION,)
