"""SQL fragments that differ between SQLite and PostgreSQL; storage forks here, and only here.

Each takes the connection (for its dialect) and returns text to put into a statement.
"""

from __future__ import annotations

from storage.sql import Connection


def nocase(conn: Connection, expression: str) -> str:
    """An expression to compare or sort by without case (the indexes are built the same way)."""
    if conn.dialect == "postgres":
        return f"lower({expression})"
    return f"{expression} COLLATE NOCASE"


def joined(conn: Connection, expression: str, separator: str) -> str:
    """An aggregate joining the group's values with the separator (a plain literal).

    PostgreSQL joins them in the expression's order: SQLite's order when read by primary key.
    """
    if conn.dialect == "postgres":
        return f"string_agg(CAST({expression} AS TEXT), '{separator}' ORDER BY {expression})"
    return f"group_concat({expression}, '{separator}')"


def in_json_ids(conn: Connection, column: str) -> str:
    """`column` is one of the ids in a JSON array parameter, or the parameter is NULL (any).

    Takes the same parameter twice, as SQLite's and PostgreSQL's forms both need it twice.
    """
    if conn.dialect == "postgres":
        return (
            f"(CAST(? AS TEXT) IS NULL OR {column} IN "
            "(SELECT CAST(value AS BIGINT) FROM json_array_elements_text(CAST(? AS JSON))))"
        )
    return f"(? IS NULL OR {column} IN (SELECT value FROM json_each(?)))"


def like(conn: Connection) -> str:
    """The LIKE operator that ignores case as SQLite's LIKE does (PostgreSQL's does not)."""
    return "ILIKE" if conn.dialect == "postgres" else "LIKE"


def unindexed(conn: Connection, expression: str) -> str:
    """An expression SQLite's planner may not use an index for ("+x"); plain on PostgreSQL."""
    if conn.dialect == "postgres":
        return expression
    return f"+{expression}"


def indexed_by(conn: Connection, table: str, index: str) -> str:
    """A FROM item that SQLite must read through this index; PostgreSQL's planner chooses."""
    if conn.dialect == "postgres":
        return table
    return f"{table} INDEXED BY {index}"
