"""Numbered schema migrations; MIGRATIONS[n] takes the database from version n to n + 1.

Each migration runs in its own transaction and never changes once released: add a new one.
Times are stored as UTC text in the fixed format of storage.timefmt, so they sort correctly.
"""

from __future__ import annotations

from storage.schema_assets import MIGRATION_4_ASSETS
from storage.schema_care import MIGRATION_5_CARE
from storage.schema_cluster import MIGRATION_14_CLUSTER
from storage.schema_contact import MIGRATION_12_CONTACT
from storage.schema_delivery import MIGRATION_10_DELIVERY
from storage.schema_deployment import MIGRATION_13_DEPLOYMENT
from storage.schema_oversight import MIGRATION_7_OVERSIGHT
from storage.schema_privacy import MIGRATION_9_PRIVACY
from storage.schema_reliability import MIGRATION_8_RELIABILITY
from storage.schema_scale import MIGRATION_11_SCALE
from storage.schema_vetting import MIGRATION_6_VETTING

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

MIGRATION_2_CORE_LOOP: tuple[str, ...] = (
    # Neighbourhood settings; NULL means "use the deployment's tunable".
    "ALTER TABLE neighbourhoods ADD COLUMN volunteers_need_approval INTEGER NOT NULL DEFAULT 1",
    "ALTER TABLE neighbourhoods ADD COLUMN alert_batch_size INTEGER",
    "ALTER TABLE neighbourhoods ADD COLUMN spending_cap_pence INTEGER NOT NULL DEFAULT 3000",
    """
    ALTER TABLE memberships ADD COLUMN volunteer_status TEXT
        CHECK (volunteer_status IN ('pending', 'approved', 'suspended'))
    """,
    "CREATE INDEX memberships_volunteers ON memberships (neighbourhood_id, volunteer_status)",
    """
    CREATE TABLE volunteers (
        person_id INTEGER PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,
        availability INTEGER NOT NULL DEFAULT 7,
        max_open_tasks INTEGER NOT NULL DEFAULT 2,
        paused_until TEXT,
        share_phone INTEGER NOT NULL DEFAULT 0,
        last_alerted_at TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE volunteer_categories (
        person_id INTEGER NOT NULL REFERENCES volunteers(person_id) ON DELETE CASCADE,
        category TEXT NOT NULL,
        PRIMARY KEY (person_id, category)
    ) WITHOUT ROWID
    """,
    "CREATE INDEX volunteer_categories_by_category ON volunteer_categories (category, person_id)",
    """
    CREATE TABLE volunteer_languages (
        person_id INTEGER NOT NULL REFERENCES volunteers(person_id) ON DELETE CASCADE,
        language TEXT NOT NULL,
        PRIMARY KEY (person_id, language)
    ) WITHOUT ROWID
    """,
    # The asset register; the asset issue extends it. Volunteers' offers are individual
    # and cultural assets with source 'volunteer_offer', kept in step with the offer.
    """
    CREATE TABLE assets (
        id INTEGER PRIMARY KEY,
        neighbourhood_id INTEGER REFERENCES neighbourhoods(id) ON DELETE CASCADE,
        owner_person_id INTEGER REFERENCES people(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('individual', 'associational', 'organisational',
                                           'physical', 'economic', 'cultural')),
        title TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        tags TEXT NOT NULL DEFAULT '',
        source TEXT NOT NULL DEFAULT 'proposed',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX assets_by_owner ON assets (owner_person_id, source)",
    """
    CREATE TABLE help_requests (
        id INTEGER PRIMARY KEY,
        ref TEXT NOT NULL UNIQUE,
        neighbourhood_id INTEGER NOT NULL REFERENCES neighbourhoods(id),
        requester_person_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
        category TEXT NOT NULL,
        description TEXT,
        when_kind TEXT NOT NULL,
        starts_at TEXT NOT NULL,
        ends_at TEXT NOT NULL,
        contact_phone TEXT,
        telegram_only INTEGER NOT NULL DEFAULT 0,
        address TEXT,
        payment_method TEXT,
        pharmacy TEXT,
        for_name TEXT,
        for_phone TEXT,
        status TEXT NOT NULL
            CHECK (status IN ('open', 'assigned', 'done', 'closed', 'cancelled')),
        assignee_person_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
        escalated INTEGER NOT NULL DEFAULT 0,
        alert_round INTEGER NOT NULL DEFAULT 0,
        amount_spent_pence INTEGER,
        thanked INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        accepted_at TEXT,
        done_at TEXT,
        closed_at TEXT
    )
    """,
    "CREATE INDEX help_requests_by_status ON help_requests (neighbourhood_id, status, created_at)",
    """
    CREATE INDEX help_requests_by_assignee
        ON help_requests (assignee_person_id, status, accepted_at)
    """,
    "CREATE INDEX help_requests_by_requester ON help_requests (requester_person_id, created_at)",
    """
    CREATE TABLE request_alerts (
        id INTEGER PRIMARY KEY,
        request_id INTEGER NOT NULL REFERENCES help_requests(id) ON DELETE CASCADE,
        person_id INTEGER REFERENCES people(id) ON DELETE CASCADE,
        chat_id INTEGER NOT NULL,
        outbox_id INTEGER NOT NULL,
        round INTEGER NOT NULL,
        response TEXT CHECK (response IN ('declined', 'released')),
        live INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX request_alerts_by_request ON request_alerts (request_id, person_id)",
)

MIGRATION_3_MATCHING_INDEXES: tuple[str, ...] = (
    # Matching starts from a neighbourhood's approved volunteers: covering, and a superset of
    # the two-column index it replaces.
    "DROP INDEX memberships_volunteers",
    """
    CREATE INDEX memberships_volunteers
        ON memberships (neighbourhood_id, volunteer_status, person_id)
    """,
    # Fairness: a volunteer's tasks accepted since a time, as a range rather than all of them.
    """
    CREATE INDEX help_requests_by_assignee_accepted
        ON help_requests (assignee_person_id, accepted_at)
    """,
    # "Helped this resident before and was thanked": one probe, not every request of theirs.
    """
    CREATE INDEX help_requests_thanked
        ON help_requests (assignee_person_id, requester_person_id) WHERE thanked = 1
    """,
)

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    MIGRATION_1_FOUNDATION,
    MIGRATION_2_CORE_LOOP,
    MIGRATION_3_MATCHING_INDEXES,
    MIGRATION_4_ASSETS,
    MIGRATION_5_CARE,
    MIGRATION_6_VETTING,
    MIGRATION_7_OVERSIGHT,
    MIGRATION_8_RELIABILITY,
    MIGRATION_9_PRIVACY,
    MIGRATION_10_DELIVERY,
    MIGRATION_11_SCALE,
    MIGRATION_12_CONTACT,
    MIGRATION_13_DEPLOYMENT,
    MIGRATION_14_CLUSTER,
)
