"""The schema migrations (storage.migrations, written for SQLite) as PostgreSQL statements.

POSTGRES_MIGRATIONS[n] takes a PostgreSQL database from version n to n + 1, as MIGRATIONS[n]
does a SQLite one. Most statements translate mechanically: INTEGER becomes BIGINT (Telegram ids
overflow a 32-bit integer; flags stay 0/1 integers), a rowid `id INTEGER PRIMARY KEY` an
identity column, BLOB becomes BYTEA, WITHOUT ROWID goes, and COLLATE NOCASE becomes lower():
a unique column keeps its plain UNIQUE (the target of `ON CONFLICT (name)`) and gains a unique
index on lower(column); an indexed `col COLLATE NOCASE` becomes `lower(col)`. Triggers become
plpgsql functions (storage.postgres_triggers). What has no mechanical translation is listed in
_OVERRIDES: the FTS5 index becomes a generated tsvector column with a GIN index, and migration
12's rebuild of checkin_escalations (SQLite cannot change a CHECK) becomes two ALTERs.
"""

from __future__ import annotations

import re

from storage.migrations import MIGRATIONS
from storage.postgres_triggers import (
    collapse_whitespace,
    is_trigger,
    strip_comments,
    translate_expressions,
    translate_trigger,
)

# MIGRATIONS[3] builds the asset register, and its full-text index when SQLite has FTS5.
ASSETS_MIGRATION = 3

# Who may see a published asset, as tokens (storage.schema_assets): stored, since PostgreSQL has
# no virtual generated columns, and with explicit casts, since `text || bigint` is not immutable.
_SEARCH_SCOPE = """
    ALTER TABLE assets ADD COLUMN search_scope TEXT GENERATED ALWAYS AS (
        CASE WHEN status = 'published' THEN
            'n' || neighbourhood_id::text
            || CASE visibility WHEN 'members' THEN ' m' || neighbourhood_id::text
                               WHEN 'public' THEN ' public' ELSE '' END
            || ' ' || kind || CASE source WHEN 'volunteer_offer' THEN ' offer' ELSE '' END
        ELSE 'unpublished' END
    ) STORED
"""

# The full-text index: the words of title, tags and description, weighted A, B, C as the FTS5
# ranking weights them, kept by PostgreSQL itself (no triggers, nothing to rebuild).
# Its configuration stems English words with snowball and keeps every word (no stop words), as
# FTS5's porter tokenizer does: "groceries" finds "Grocery delivery".
_SEARCH_DOC = (
    "CREATE TEXT SEARCH DICTIONARY assets_stem (TEMPLATE = snowball, Language = english)",
    "CREATE TEXT SEARCH CONFIGURATION assets_search (COPY = simple)",
    """
    ALTER TEXT SEARCH CONFIGURATION assets_search ALTER MAPPING
        FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part WITH assets_stem
    """,
    """
    ALTER TABLE assets ADD COLUMN search_doc tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('assets_search', coalesce(title, '')), 'A')
        || setweight(to_tsvector('assets_search', coalesce(tags, '')), 'B')
        || setweight(to_tsvector('assets_search', coalesce(description, '')), 'C')
    ) STORED
    """,
    "CREATE INDEX assets_search_doc ON assets USING GIN (search_doc)",
)

# Statements translated by hand, keyed by a prefix of the SQLite statement (whitespace
# collapsed); the longest matching prefix wins, and an empty list drops the statement.
_OVERRIDES: dict[str, list[str]] = {
    # Migration 4: the FTS5 table, its triggers and its first build.
    "ALTER TABLE assets ADD COLUMN search_scope ": [_SEARCH_SCOPE],
    "CREATE VIRTUAL TABLE assets_fts ": list(_SEARCH_DOC),
    "CREATE TRIGGER assets_fts_": [],
    "INSERT INTO assets_fts ": [],
    # Migration 12: "answered" joins the outcomes. PostgreSQL changes the CHECK in place (the
    # name is the one it gave the column's CHECK in migration 5); the columns, their order, the
    # identity's sequence and every other constraint stay. Its index is dropped where SQLite
    # drops the table, so that the migration's CREATE INDEX makes it again.
    "CREATE TABLE checkin_escalations_new ": [
        "ALTER TABLE checkin_escalations DROP CONSTRAINT checkin_escalations_outcome_check",
        """
        ALTER TABLE checkin_escalations ADD CONSTRAINT checkin_escalations_outcome_check
            CHECK (outcome IN ('reached', 'visited', 'services', 'answered'))
        """,
    ],
    "INSERT INTO checkin_escalations_new SELECT ": [],
    "DROP TABLE checkin_escalations": ["DROP INDEX checkin_escalations_open"],
    "ALTER TABLE checkin_escalations_new RENAME ": [],
}

_TYPES = ((r"\bINTEGER\b", "BIGINT"), (r"\bBLOB\b", "BYTEA"), (r"\bREAL\b", "DOUBLE PRECISION"))
# A rowid alias the code lets SQLite number (`id INTEGER PRIMARY KEY` and nothing more); other
# INTEGER PRIMARY KEY columns (volunteers.person_id, inbox.update_id, delivery_reports.id with
# its CHECK) are always given, and become plain BIGINT keys.
_ROWID_ID = re.compile(r"\bid\s+INTEGER\s+PRIMARY\s+KEY(?=\s*(,|\)|$))", re.IGNORECASE)
_NOCASE_COLUMN = re.compile(
    r"\b(?P<column>\w+)\s+TEXT\b(?P<constraints>[^,()]*?)\s+COLLATE\s+NOCASE\b", re.IGNORECASE
)
_NOCASE_INDEXED = re.compile(r"\b(?P<column>\w+(?:\.\w+)?)\s+COLLATE\s+NOCASE\b", re.IGNORECASE)
_TABLE_NAME = re.compile(r"^(?:CREATE|ALTER)\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)", re.I)


def _normalised(statement: str) -> str:
    """A statement without comments, its whitespace collapsed to single spaces."""
    return collapse_whitespace(strip_comments(statement))


def _override(statement: str) -> list[str] | None:
    """The hand translation of a statement, if _OVERRIDES has one."""
    normalised = _normalised(statement) + " "
    matches = [prefix for prefix in _OVERRIDES if normalised.startswith(prefix)]
    return _OVERRIDES[max(matches, key=len)] if matches else None


def _column_types(statement: str) -> str:
    """A CREATE or ALTER TABLE with PostgreSQL's column types and without WITHOUT ROWID."""
    statement = _ROWID_ID.sub("id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", statement)
    for sqlite_type, postgres_type in _TYPES:
        statement = re.sub(sqlite_type, postgres_type, statement, flags=re.IGNORECASE)
    statement = re.sub(r"\bVIRTUAL\s*$", "STORED", statement.rstrip(), flags=re.IGNORECASE)
    return re.sub(r"\)\s*WITHOUT\s+ROWID\s*$", ")", statement.rstrip(), flags=re.IGNORECASE)


def _translate_table(statement: str) -> list[str]:
    """CREATE or ALTER TABLE: types, and a NOCASE unique column's lower() unique index."""
    table_match = _TABLE_NAME.match(statement.strip())
    if table_match is None:
        raise ValueError(f"no table name in: {statement}")
    table = table_match.group(1)
    extra: list[str] = []

    def drop_nocase(match: re.Match[str]) -> str:
        column, constraints = match.group("column"), match.group("constraints")
        if re.search(r"\b(UNIQUE|PRIMARY\s+KEY)\b", constraints, re.IGNORECASE):
            extra.append(f"CREATE UNIQUE INDEX {table}_{column}_lower ON {table} (lower({column}))")
        return f"{column} TEXT{constraints}"

    statement = _NOCASE_COLUMN.sub(drop_nocase, statement)
    if re.search(r"\bCOLLATE\s+NOCASE\b", statement, re.IGNORECASE):
        raise ValueError(f"COLLATE NOCASE this translation does not understand: {statement}")
    return [_column_types(statement), *extra]


def translate_statement(statement: str) -> list[str]:
    """One SQLite migration statement as the PostgreSQL statements doing the same."""
    override = _override(statement)
    if override is not None:
        return [collapse_whitespace(part) for part in override]
    if is_trigger(statement):
        return translate_trigger(statement)
    sql = _normalised(statement)
    keyword = sql.split(" ", 2)[:2]
    if keyword[0].upper() == "CREATE" and keyword[1].upper() == "VIRTUAL":
        raise ValueError(f"a virtual table with no PostgreSQL translation: {sql}")
    if keyword[0].upper() == "PRAGMA":
        raise ValueError(f"a SQLite PRAGMA in a migration: {sql}")
    if re.match(r"(CREATE|ALTER)\s+TABLE\b", sql, re.IGNORECASE):
        return _translate_table(sql)
    if re.match(r"CREATE\s+(UNIQUE\s+)?INDEX\b", sql, re.IGNORECASE):
        sql = _NOCASE_INDEXED.sub(lambda match: f"lower({match.group('column')})", sql)
    return [translate_expressions(sql)]


def postgres_migration(index: int, statements: tuple[str, ...]) -> list[str]:
    """The PostgreSQL statements of MIGRATIONS[index] (0-based), `statements` its SQLite ones."""
    translated = [pg for statement in statements for pg in translate_statement(statement)]
    if index == ASSETS_MIGRATION and not any("search_doc" in pg for pg in translated):
        # This SQLite has no FTS5, so its migration left the index out; PostgreSQL always has it.
        translated += [_normalised(_SEARCH_SCOPE), *(_normalised(pg) for pg in _SEARCH_DOC)]
    return translated


POSTGRES_MIGRATIONS: list[list[str]] = [
    postgres_migration(index, statements) for index, statements in enumerate(MIGRATIONS)
]
