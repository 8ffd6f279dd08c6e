"""Schema migration 4 (asset register); storage.migrations lists it. Never change it."""

from __future__ import annotations

import sqlite3


def fts5_available() -> bool:
    """Whether this SQLite library has FTS5 (the same library aiosqlite uses)."""
    try:
        probe = sqlite3.connect(":memory:")
        try:
            probe.execute("CREATE VIRTUAL TABLE probe USING fts5(x)")
        finally:
            probe.close()
    except sqlite3.OperationalError:
        return False
    return True


# The full-text index of the register: external content (the assets table), kept in step by
# triggers, so every writer of `assets` (storage.volunteers.offers too) updates it. Columns: title,
# tags, description (ranked in that order, see storage.directory.search), and search_scope: tokens
# saying who may see a published asset, so a search filters by visibility inside the index
# instead of reading every matching row. "n12" for neighbourhood 12 (its organisers see it),
# "m12" if its members see it, "public" if anyone does, then its kind and "offer" for a
# volunteer's offer; anything not published is just "unpublished".
_FTS: tuple[str, ...] = (
    """
    ALTER TABLE assets ADD COLUMN search_scope TEXT GENERATED ALWAYS AS (
        CASE WHEN status = 'published' THEN
            'n' || neighbourhood_id
            || CASE visibility WHEN 'members' THEN ' m' || neighbourhood_id
                               WHEN 'public' THEN ' public' ELSE '' END
            || ' ' || kind || CASE source WHEN 'volunteer_offer' THEN ' offer' ELSE '' END
        ELSE 'unpublished' END
    ) VIRTUAL
    """,
    """
    CREATE VIRTUAL TABLE assets_fts USING fts5(
        title, tags, description, search_scope, content='assets', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    )
    """,
    """
    CREATE TRIGGER assets_fts_insert AFTER INSERT ON assets BEGIN
        INSERT INTO assets_fts (rowid, title, tags, description, search_scope)
        VALUES (new.id, new.title, new.tags, new.description, new.search_scope);
    END
    """,
    """
    CREATE TRIGGER assets_fts_delete AFTER DELETE ON assets BEGIN
        INSERT INTO assets_fts (assets_fts, rowid, title, tags, description, search_scope)
        VALUES ('delete', old.id, old.title, old.tags, old.description, old.search_scope);
    END
    """,
    """
    CREATE TRIGGER assets_fts_update AFTER UPDATE OF title, tags, description, neighbourhood_id,
        visibility, status, kind, source ON assets BEGIN
        INSERT INTO assets_fts (assets_fts, rowid, title, tags, description, search_scope)
        VALUES ('delete', old.id, old.title, old.tags, old.description, old.search_scope);
        INSERT INTO assets_fts (rowid, title, tags, description, search_scope)
        VALUES (new.id, new.title, new.tags, new.description, new.search_scope);
    END
    """,
    "INSERT INTO assets_fts (assets_fts) VALUES ('rebuild')",
)

MIGRATION_4_ASSETS: tuple[str, ...] = (
    # Read by /settings (organiser tools) and by /offer: may members publish without approval?
    "ALTER TABLE neighbourhoods ADD COLUMN assets_self_publish INTEGER NOT NULL DEFAULT 0",
    # Defaults suit volunteers' offers (storage.volunteers.offers writes them): published, and seen
    # by organisers only, since they name a private person. /offer sets both explicitly.
    """
    ALTER TABLE assets ADD COLUMN visibility TEXT NOT NULL DEFAULT 'organisers'
        CHECK (visibility IN ('organisers', 'members', 'public'))
    """,
    """
    ALTER TABLE assets ADD COLUMN status TEXT NOT NULL DEFAULT 'published'
        CHECK (status IN ('proposed', 'published', 'withdrawn'))
    """,
    "ALTER TABLE assets ADD COLUMN availability TEXT NOT NULL DEFAULT ''",
    # A named contact for an organisation or place (a person's asset is reached via Telegram).
    "ALTER TABLE assets ADD COLUMN contact_name TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE assets ADD COLUMN contact_details TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE assets ADD COLUMN verified_at TEXT",
    "ALTER TABLE assets ADD COLUMN verified_by INTEGER",
    "CREATE INDEX assets_by_neighbourhood ON assets (neighbourhood_id, status, kind, title)",
    *(_FTS if fts5_available() else ()),
)
