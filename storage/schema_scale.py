"""Schema migration 11 (scale); storage.migrations lists it. Never change it once released.

Matching reads one short, contiguous range instead of probing half a dozen tables per
volunteer: `match_pool` holds a row per approved volunteer, neighbourhood and offered category,
with copies of everything matching filters and ranks on, and each volunteer keeps counters of
their open tasks and the accepted times of their latest tasks. Triggers keep all of it in step,
in the transaction of whatever write changed it, so no code path (accept, hand back, done,
cancel, reassign, suspension, erasure, retention, an offer or a pause) can forget to. Never
change it once released.
"""

from __future__ import annotations

# How many accepted times each volunteer keeps: a fairness window holding fewer of their tasks
# than this is counted from the row; a busier volunteer's count falls back to help_requests.
RECENT_ACCEPTS = 6
RECENT_COLUMNS = tuple(f"recent_accept_{n}" for n in range(1, RECENT_ACCEPTS + 1))

# The volunteer-level columns match_pool copies, and where each comes from (v: volunteers,
# p: people).
_COPIED = (
    ("telegram_id", "p.telegram_id"),
    ("unreachable", "p.unreachable"),
    ("paused_until", "v.paused_until"),
    ("availability", "v.availability"),
    ("max_open_tasks", "v.max_open_tasks"),
    ("open_tasks", "v.open_tasks"),
    ("last_alerted_at", "v.last_alerted_at"),
    *((column, f"v.{column}") for column in RECENT_COLUMNS),
)
_POOL_COLUMNS = ", ".join(["neighbourhood_id", "category", "person_id"] + [c for c, _ in _COPIED])
_COPIED_VALUES = ", ".join(source for _, source in _COPIED)


def _recount(person: str) -> str:
    """SET clauses recomputing a volunteer's counters from help_requests (`person`: their id)."""
    latest = (
        "COALESCE((SELECT h.accepted_at FROM help_requests h "
        f"WHERE h.assignee_person_id = {person} AND h.accepted_at IS NOT NULL "
        "ORDER BY h.accepted_at DESC LIMIT 1 OFFSET {offset}), '')"
    )
    counters = [
        "open_tasks = (SELECT COUNT(*) FROM help_requests h "
        f"WHERE h.assignee_person_id = {person} AND h.status = 'assigned')"
    ]
    counters += [f"{c} = {latest.format(offset=n)}" for n, c in enumerate(RECENT_COLUMNS)]
    return ", ".join(counters)


# Recount every volunteer's counters (the migration's backfill; bulk loaders run it too).
RECOUNT_ALL_VOLUNTEERS = f"UPDATE volunteers SET {_recount('volunteers.person_id')}"
# Rebuild the pool from the tables it copies (the migration's backfill; bulk loaders too).
REBUILD_POOL = (
    "DELETE FROM match_pool",
    f"""
    INSERT INTO match_pool ({_POOL_COLUMNS})
    SELECT m.neighbourhood_id, c.category, m.person_id, {_COPIED_VALUES}
    FROM memberships m
    JOIN volunteer_categories c ON c.person_id = m.person_id
    JOIN volunteers v ON v.person_id = m.person_id
    JOIN people p ON p.id = m.person_id
    WHERE m.volunteer_status = 'approved'
    """,
)

# Two keyed updates: "person_id IN (old..., new...)" inside a trigger costs several times more.
_RECOUNT_CHANGED = (
    f"UPDATE volunteers SET {_recount('volunteers.person_id')} "
    "WHERE person_id = old.assignee_person_id; "
    f"UPDATE volunteers SET {_recount('volunteers.person_id')} "
    "WHERE person_id = new.assignee_person_id "
    "AND new.assignee_person_id IS NOT old.assignee_person_id;"
)

_COUNTER_TRIGGERS: tuple[str, ...] = (
    f"""
    CREATE TRIGGER volunteer_counters_new_request AFTER INSERT ON help_requests
    WHEN new.assignee_person_id IS NOT NULL BEGIN
        UPDATE volunteers SET {_recount("volunteers.person_id")}
        WHERE person_id = new.assignee_person_id;
    END
    """,
    f"""
    CREATE TRIGGER volunteer_counters_changed_request
    AFTER UPDATE OF assignee_person_id, status, accepted_at ON help_requests
    WHEN (old.assignee_person_id IS NOT NULL OR new.assignee_person_id IS NOT NULL)
        AND (old.assignee_person_id IS NOT new.assignee_person_id
             OR old.status IS NOT new.status OR old.accepted_at IS NOT new.accepted_at) BEGIN
        {_RECOUNT_CHANGED}
    END
    """,
    f"""
    CREATE TRIGGER volunteer_counters_removed_request AFTER DELETE ON help_requests
    WHEN old.assignee_person_id IS NOT NULL BEGIN
        UPDATE volunteers SET {_recount("volunteers.person_id")}
        WHERE person_id = old.assignee_person_id;
    END
    """,
    # A volunteer row made for someone who already holds or held tasks starts counted.
    f"""
    CREATE TRIGGER volunteer_counters_new_volunteer AFTER INSERT ON volunteers BEGIN
        UPDATE volunteers SET {_recount("volunteers.person_id")}
        WHERE person_id = new.person_id;
    END
    """,
)

_POOL_FOR_MEMBERSHIP = f"""
    INSERT OR REPLACE INTO match_pool ({_POOL_COLUMNS})
    SELECT new.neighbourhood_id, c.category, new.person_id, {_COPIED_VALUES}
    FROM volunteer_categories c
    JOIN volunteers v ON v.person_id = c.person_id
    JOIN people p ON p.id = c.person_id
    WHERE c.person_id = new.person_id AND new.volunteer_status = 'approved';
"""
_POOL_FOR_CATEGORY = f"""
    INSERT OR REPLACE INTO match_pool ({_POOL_COLUMNS})
    SELECT m.neighbourhood_id, new.category, new.person_id, {_COPIED_VALUES}
    FROM memberships m
    JOIN volunteers v ON v.person_id = m.person_id
    JOIN people p ON p.id = m.person_id
    WHERE m.person_id = new.person_id AND m.volunteer_status = 'approved';
"""
_COPY_VOLUNTEER = ", ".join(
    f"{column} = new.{column}" for column, source in _COPIED if source.startswith("v.")
)

_POOL_TRIGGERS: tuple[str, ...] = (
    f"CREATE TRIGGER match_pool_new_membership AFTER INSERT ON memberships BEGIN "
    f"{_POOL_FOR_MEMBERSHIP} END",
    f"""
    CREATE TRIGGER match_pool_changed_membership
    AFTER UPDATE OF volunteer_status, person_id, neighbourhood_id ON memberships BEGIN
        DELETE FROM match_pool
        WHERE neighbourhood_id = old.neighbourhood_id AND person_id = old.person_id;
        {_POOL_FOR_MEMBERSHIP}
    END
    """,
    """
    CREATE TRIGGER match_pool_removed_membership AFTER DELETE ON memberships BEGIN
        DELETE FROM match_pool
        WHERE neighbourhood_id = old.neighbourhood_id AND person_id = old.person_id;
    END
    """,
    f"CREATE TRIGGER match_pool_new_category AFTER INSERT ON volunteer_categories BEGIN "
    f"{_POOL_FOR_CATEGORY} END",
    f"""
    CREATE TRIGGER match_pool_changed_category
    AFTER UPDATE OF person_id, category ON volunteer_categories BEGIN
        DELETE FROM match_pool WHERE person_id = old.person_id AND category = old.category;
        {_POOL_FOR_CATEGORY}
    END
    """,
    """
    CREATE TRIGGER match_pool_removed_category AFTER DELETE ON volunteer_categories BEGIN
        DELETE FROM match_pool WHERE person_id = old.person_id AND category = old.category;
    END
    """,
    f"""
    CREATE TRIGGER match_pool_changed_volunteer AFTER UPDATE OF
        {", ".join(c for c, s in _COPIED if s.startswith("v."))} ON volunteers BEGIN
        UPDATE match_pool SET {_COPY_VOLUNTEER} WHERE person_id = new.person_id;
    END
    """,
    """
    CREATE TRIGGER match_pool_removed_volunteer AFTER DELETE ON volunteers BEGIN
        DELETE FROM match_pool WHERE person_id = old.person_id;
    END
    """,
    """
    CREATE TRIGGER match_pool_changed_person AFTER UPDATE OF telegram_id, unreachable ON people
    BEGIN
        UPDATE match_pool SET telegram_id = new.telegram_id, unreachable = new.unreachable
        WHERE person_id = new.id;
    END
    """,
)

_MATCHING: tuple[str, ...] = (
    "ALTER TABLE volunteers ADD COLUMN open_tasks INTEGER NOT NULL DEFAULT 0",
    *(f"ALTER TABLE volunteers ADD COLUMN {c} TEXT NOT NULL DEFAULT ''" for c in RECENT_COLUMNS),
    RECOUNT_ALL_VOLUNTEERS,
    # No foreign keys: it is a copy, emptied by the triggers with the rows it copies, and
    # /mydata shows the originals.
    f"""
    CREATE TABLE match_pool (
        neighbourhood_id INTEGER NOT NULL,
        category TEXT NOT NULL,
        person_id INTEGER NOT NULL,
        telegram_id INTEGER NOT NULL,
        unreachable INTEGER NOT NULL,
        paused_until TEXT,
        availability INTEGER NOT NULL,
        max_open_tasks INTEGER NOT NULL,
        open_tasks INTEGER NOT NULL,
        last_alerted_at TEXT,
        {", ".join(f"{c} TEXT NOT NULL" for c in RECENT_COLUMNS)},
        PRIMARY KEY (neighbourhood_id, category, person_id)
    ) WITHOUT ROWID
    """,
    "CREATE INDEX match_pool_by_person ON match_pool (person_id, category)",
    *REBUILD_POOL,
    *_COUNTER_TRIGGERS,
    *_POOL_TRIGGERS,
    # "Helped this resident before and was thanked": the requester's thanked helpers sit
    # together, so ranking a neighbourhood's volunteers reads one page, not one per volunteer.
    "DROP INDEX help_requests_thanked",
    """
    CREATE INDEX help_requests_thanked
        ON help_requests (requester_person_id, assignee_person_id) WHERE thanked = 1
    """,
)

# Directory browsing and its kind counts read disjoint parts of what a viewer may see from index
# ranges (storage.directory.search._parts): each visibility across the city in title order, and a
# neighbourhood's assets by visibility, kind and title. The city-wide parts are counted by
# kind in asset_kind_counts, kept by triggers, so opening the directory counts nothing big.
_KINDS = ("individual", "associational", "organisational", "physical", "economic", "cultural")
_VISIBILITIES = ("organisers", "members", "public")

_DIRECTORY: tuple[str, ...] = (
    "CREATE INDEX assets_browse ON assets (status, visibility, kind, title COLLATE NOCASE)",
    """
    CREATE INDEX assets_browse_local
        ON assets (neighbourhood_id, status, visibility, kind, title COLLATE NOCASE)
    """,
    """
    CREATE TABLE asset_kind_counts (
        visibility TEXT NOT NULL,
        kind TEXT NOT NULL,
        published INTEGER NOT NULL,
        PRIMARY KEY (visibility, kind)
    ) WITHOUT ROWID
    """,
    "INSERT INTO asset_kind_counts (visibility, kind, published) VALUES "
    + ", ".join(f"('{v}', '{k}', 0)" for v in _VISIBILITIES for k in _KINDS),
    "UPDATE asset_kind_counts SET published = (SELECT COUNT(*) FROM assets a "
    "WHERE a.status = 'published' AND a.visibility = asset_kind_counts.visibility "
    "AND a.kind = asset_kind_counts.kind)",
    """
    CREATE TRIGGER asset_kind_counts_new AFTER INSERT ON assets WHEN new.status = 'published'
    BEGIN
        UPDATE asset_kind_counts SET published = published + 1
        WHERE visibility = new.visibility AND kind = new.kind;
    END
    """,
    """
    CREATE TRIGGER asset_kind_counts_removed AFTER DELETE ON assets WHEN old.status = 'published'
    BEGIN
        UPDATE asset_kind_counts SET published = published - 1
        WHERE visibility = old.visibility AND kind = old.kind;
    END
    """,
    """
    CREATE TRIGGER asset_kind_counts_changed AFTER UPDATE OF status, visibility, kind ON assets
    BEGIN
        UPDATE asset_kind_counts SET published = published - 1
        WHERE old.status = 'published' AND visibility = old.visibility AND kind = old.kind;
        UPDATE asset_kind_counts SET published = published + 1
        WHERE new.status = 'published' AND visibility = new.visibility AND kind = new.kind;
    END
    """,
)

MIGRATION_11_SCALE: tuple[str, ...] = (*_MATCHING, *_DIRECTORY)
