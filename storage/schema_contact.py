"""Schema migration for issue 15 (contact through the bot, honest nights, check-in details).

storage.migrations lists it as the twelfth. Never change it once released.
"""

from __future__ import annotations

MIGRATION_12_CONTACT: tuple[str, ...] = (
    # The resident's "is it done?" message, so an undone Done can take its buttons away.
    "ALTER TABLE help_requests ADD COLUMN done_notice_outbox_id INTEGER",
    # Honest nights: when the first alerts really go (the end of quiet hours if held), which
    # starts the widening and escalation clocks; and "it's urgent", which sends them at once.
    "ALTER TABLE help_requests ADD COLUMN alerts_from TEXT",
    "ALTER TABLE help_requests ADD COLUMN urgent INTEGER NOT NULL DEFAULT 0",
    # A request by voice note or photo: their Telegram file ids, as a JSON list of
    # {"kind", "file_id"}; personal, so retention and erasure clear it with the description.
    "ALTER TABLE help_requests ADD COLUMN media TEXT",
    # What an organiser needs when a check-in goes unanswered: a number to ring and a door.
    "ALTER TABLE checkins ADD COLUMN phone_e164 TEXT",
    "ALTER TABLE checkins ADD COLUMN address TEXT",
    # How long a buddy has to acknowledge a missed check-in before organisers are told
    # (NULL: the deployment's buddy_ack_delay).
    "ALTER TABLE neighbourhoods ADD COLUMN buddy_ack_delay_s INTEGER",
    # "They answered" joins the outcomes: SQLite cannot change a CHECK, so the table is rebuilt
    # (nothing refers to it).
    """
    CREATE TABLE checkin_escalations_new (
        id INTEGER PRIMARY KEY,
        occurrence_id INTEGER NOT NULL UNIQUE REFERENCES checkin_occurrences(id)
            ON DELETE CASCADE,
        checkin_id INTEGER NOT NULL REFERENCES checkins(id) ON DELETE CASCADE,
        neighbourhood_id INTEGER NOT NULL REFERENCES neighbourhoods(id) ON DELETE CASCADE,
        first_told TEXT NOT NULL CHECK (first_told IN ('buddy', 'organisers')),
        resends INTEGER NOT NULL DEFAULT 0,
        acknowledged_by INTEGER,  -- Telegram id
        acknowledged_at TEXT,
        outcome TEXT CHECK (outcome IN ('reached', 'visited', 'services', 'answered')),
        outcome_by INTEGER,
        outcome_at TEXT,
        created_at TEXT NOT NULL
    )
    """,
    "INSERT INTO checkin_escalations_new SELECT * FROM checkin_escalations",
    "DROP TABLE checkin_escalations",
    "ALTER TABLE checkin_escalations_new RENAME TO checkin_escalations",
    "CREATE INDEX checkin_escalations_open ON checkin_escalations (neighbourhood_id, outcome)",
    # Messages passed between a task's resident and volunteer (words, or a photo's or voice
    # note's file id). Both people's rows go with them (/forgetme), and retention removes
    # them when the outbox forgets its texts.
    """
    CREATE TABLE relay_messages (
        id INTEGER PRIMARY KEY,
        request_id INTEGER NOT NULL REFERENCES help_requests(id) ON DELETE CASCADE,
        sender_person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        recipient_person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('text', 'photo', 'voice')),
        body TEXT,
        file_id TEXT,
        outbox_id INTEGER,
        created_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX relay_messages_by_request ON relay_messages (request_id, id)",
    "CREATE INDEX relay_messages_by_age ON relay_messages (created_at)",
    "CREATE INDEX relay_messages_by_recipient ON relay_messages (recipient_person_id)",
)
