"""The schema as the database describes it: tables, columns and foreign keys, on both backends.

SQLite is read through sqlite_master and PRAGMA table_info / foreign_key_list, PostgreSQL through
pg_catalog. Both are described the same way: an "integer" column is one declared INTEGER on
SQLite and bigint (or integer, smallint) on PostgreSQL. Each backend's own bookkeeping is left
out: SQLite's sqlite_* tables, and PostgreSQL's schema_version table.
"""

from __future__ import annotations

from dataclasses import dataclass

from storage.sql import Connection

# PostgreSQL's bookkeeping tables, left out as SQLite's own sqlite_* tables are.
_POSTGRES_BOOKKEEPING = ("schema_version",)
_POSTGRES_INTEGER_TYPES = frozenset({"bigint", "integer", "smallint"})
_POSTGRES_ON_DELETE = {
    "a": "NO ACTION",
    "r": "RESTRICT",
    "c": "CASCADE",
    "n": "SET NULL",
    "d": "SET DEFAULT",
}


@dataclass(frozen=True)
class Column:
    """One column of a table."""

    name: str
    type: str  # the declared type as the database reports it ('INTEGER', 'bigint', 'TEXT')
    integer: bool
    not_null: bool
    primary_key: int  # position in the table's primary key, from 1; 0 when not part of it
    default: str | None  # the default's expression, None when there is none
    automatic: bool  # filled in by the database: a rowid alias, identity or generated column


@dataclass(frozen=True)
class ForeignKey:
    """One column of a foreign key and the column of the table it refers to."""

    column: str
    table: str
    to: str | None  # None: the target's primary key, left implicit (SQLite only)
    on_delete: str  # 'NO ACTION', 'RESTRICT', 'CASCADE', 'SET NULL' or 'SET DEFAULT'


@dataclass(frozen=True)
class Table:
    """One table: its columns in order, its foreign keys and the text of its CHECKs."""

    name: str
    columns: tuple[Column, ...]
    foreign_keys: tuple[ForeignKey, ...]
    checks: str  # SQLite: the CREATE statement; PostgreSQL: the CHECK constraints, a line each
    virtual: bool = False  # a SQLite virtual table (full-text search) or one of its shadows

    def column(self, name: str) -> Column:
        """The named column (KeyError when the table has none)."""
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"{self.name}.{name}")

    @property
    def column_names(self) -> list[str]:
        """The columns' names, in order."""
        return [c.name for c in self.columns]

    @property
    def primary_key(self) -> list[str]:
        """The primary key's columns in key order (empty when the table declares none)."""
        keyed = sorted((c for c in self.columns if c.primary_key), key=lambda c: c.primary_key)
        return [c.name for c in keyed]

    @property
    def not_null(self) -> set[str]:
        """The names of the NOT NULL columns."""
        return {c.name for c in self.columns if c.not_null}

    @property
    def integer_columns(self) -> list[str]:
        """The names of the integer columns, in order."""
        return [c.name for c in self.columns if c.integer]


async def read_schema(conn: Connection) -> dict[str, Table]:
    """Every table of the schema by name, in name order."""
    if conn.dialect == "postgres":
        return await _postgres_tables(conn, None)
    return {
        name: await _sqlite_table(conn, name, sql, virtual)
        for name, sql, virtual in await _sqlite_tables(conn)
    }


async def read_table(conn: Connection, name: str) -> Table | None:
    """One table by name; None when the schema has no such table."""
    if conn.dialect == "postgres":
        return (await _postgres_tables(conn, name)).get(name)
    for found, sql, virtual in await _sqlite_tables(conn):
        if found == name:
            return await _sqlite_table(conn, found, sql, virtual)
    return None


async def _sqlite_tables(conn: Connection) -> list[tuple[str, str, bool]]:
    """(name, CREATE statement, virtual) of each table but SQLite's own, by name."""
    rows = [
        (r["name"], r["sql"] or "")
        for r in await conn.fetch(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    virtual = [name for name, sql in rows if sql.upper().startswith("CREATE VIRTUAL")]
    return [
        (name, sql, name in virtual or any(name.startswith(v + "_") for v in virtual))
        for name, sql in rows
    ]


async def _sqlite_table(conn: Connection, name: str, sql: str, virtual: bool) -> Table:
    info = list(await conn.fetch(f'PRAGMA table_info("{name}")'))
    primary = [r["name"] for r in info if r["pk"]]
    columns = tuple(
        Column(
            name=r["name"],
            type=r["type"],
            integer=r["type"].upper() == "INTEGER",
            not_null=bool(r["notnull"]),
            primary_key=int(r["pk"]),
            default=r["dflt_value"],
            # INTEGER PRIMARY KEY alone is the rowid: SQLite numbers it when it is left out.
            automatic=primary == [r["name"]] and r["type"].upper() == "INTEGER",
        )
        for r in info
    )
    keys = tuple(
        ForeignKey(r["from"], r["table"], r["to"], str(r["on_delete"]).upper())
        for r in await conn.fetch(f'PRAGMA foreign_key_list("{name}")')
    )
    return Table(name, columns, keys, sql, virtual)


_PG_SCOPE = (
    "JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema() "
    "WHERE c.relkind IN ('r', 'p') AND c.relname <> ALL(CAST(? AS TEXT[])) "
    "AND (CAST(? AS TEXT) IS NULL OR c.relname = ?)"
)


async def _postgres_tables(conn: Connection, only: str | None) -> dict[str, Table]:
    scope = (list(_POSTGRES_BOOKKEEPING), only, only)
    columns: dict[str, list[Column]] = {}
    for r in await conn.fetch(
        "SELECT c.relname AS table_name, a.attname AS name, "
        "format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null, "
        "COALESCE(array_position(pk.conkey, a.attnum), 0) AS primary_key, "
        "CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END AS dflt, "
        "(a.attidentity <> '' OR a.attgenerated <> '') AS automatic "
        "FROM pg_class c "
        "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
        "LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum "
        "LEFT JOIN pg_constraint pk ON pk.conrelid = c.oid AND pk.contype = 'p' "
        f"{_PG_SCOPE} ORDER BY c.relname, a.attnum",
        *scope,
    ):
        columns.setdefault(r["table_name"], []).append(
            Column(
                name=r["name"],
                type=r["type"],
                integer=r["type"] in _POSTGRES_INTEGER_TYPES,
                not_null=r["not_null"],
                primary_key=int(r["primary_key"]),
                default=r["dflt"],
                automatic=r["automatic"],
            )
        )
    keys: dict[str, list[ForeignKey]] = {}
    for r in await conn.fetch(
        "SELECT c.relname AS table_name, a.attname AS from_column, t.relname AS target, "
        "ta.attname AS to_column, CAST(k.confdeltype AS TEXT) AS on_delete "
        "FROM pg_class c JOIN pg_constraint k ON k.conrelid = c.oid AND k.contype = 'f' "
        "JOIN pg_class t ON t.oid = k.confrelid "
        "CROSS JOIN LATERAL unnest(k.conkey, k.confkey) WITH ORDINALITY "
        "AS u(from_number, to_number, position) "
        "JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.from_number "
        "JOIN pg_attribute ta ON ta.attrelid = k.confrelid AND ta.attnum = u.to_number "
        f"{_PG_SCOPE} ORDER BY c.relname, k.conname, u.position",
        *scope,
    ):
        keys.setdefault(r["table_name"], []).append(
            ForeignKey(
                r["from_column"],
                r["target"],
                r["to_column"],
                _POSTGRES_ON_DELETE[r["on_delete"]],
            )
        )
    checks: dict[str, list[str]] = {}
    for r in await conn.fetch(
        "SELECT c.relname AS table_name, pg_get_constraintdef(k.oid) AS definition "
        "FROM pg_class c JOIN pg_constraint k ON k.conrelid = c.oid AND k.contype = 'c' "
        f"{_PG_SCOPE} ORDER BY c.relname, k.conname",
        *scope,
    ):
        checks.setdefault(r["table_name"], []).append(r["definition"])
    return {
        name: Table(
            name,
            tuple(columns[name]),
            tuple(keys.get(name, ())),
            "\n".join(checks.get(name, ())),
        )
        for name in sorted(columns)
    }
